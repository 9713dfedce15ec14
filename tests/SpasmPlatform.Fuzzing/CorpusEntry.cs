namespace SpasmPlatform.Fuzzing;

/// <summary>A hostile request as stored in the corpus (JSON): everything needed to send it again byte for byte.</summary>
public sealed record CorpusEntry(
    string HttpMethod,
    string Path,
    string? ContentType,
    List<string[]> Headers,
    List<string> Body,
    List<string> Mutations,
    RequestExpectation Expectation,
    string? Reason,
    int? Seed,
    int? Iteration)
{
    public static CorpusEntry From(Finding finding) => new(
        finding.Request.HttpMethod,
        finding.Request.Path,
        finding.Request.ContentType,
        [.. finding.Request.Headers.Select(h => new[] { h.Key, h.Value })],
        [.. finding.Request.Body.Select(Convert.ToBase64String)],
        [.. finding.Request.Mutations],
        finding.Request.Expectation,
        finding.Reason,
        finding.Seed,
        finding.Iteration);

    public HostileRequest ToRequest() => new(
        HttpMethod,
        Path,
        ContentType,
        [.. Headers.Select(h => new KeyValuePair<string, string>(h[0], h[1]))],
        [.. Body.Select(Convert.FromBase64String)],
        [.. Mutations, "regression"],
        Expectation);
}
