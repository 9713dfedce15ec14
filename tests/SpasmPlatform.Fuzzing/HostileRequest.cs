namespace SpasmPlatform.Fuzzing;

/// <summary>
/// One request exactly as it goes on the wire: HTTP method, path, content type (null: none), headers, and the body as
/// the chunks written (each flushed, so each leaves as its own DATA frame).
/// </summary>
public sealed record HostileRequest(
    string HttpMethod,
    string Path,
    string? ContentType,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    IReadOnlyList<byte[]> Body,
    IReadOnlyList<string> Mutations,
    RequestExpectation Expectation = RequestExpectation.Grpc)
{
    public long BodyLength => Body.Sum(chunk => (long)chunk.Length);

    public string Describe() => $"{HttpMethod} {Path} [{string.Join(", ", Mutations)}] ({BodyLength} bytes, {Headers.Count} headers)";
}
