using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace SpasmPlatform.Grpc.Tests.Support;

public sealed record RawResponse(
    HttpStatusCode HttpStatus,
    HttpResponseHeaders Headers,
    HttpContentHeaders ContentHeaders,
    HttpResponseHeaders Trailers,
    IReadOnlyList<(bool Compressed, byte[] Payload)> Messages)
{
    /// <summary>True when the status came in the response HEADERS (no body, no trailers).</summary>
    public bool IsTrailersOnly => Headers.Contains("grpc-status");

    public string? Status => Header(IsTrailersOnly ? Headers : Trailers, "grpc-status");

    public string? Message => Header(IsTrailersOnly ? Headers : Trailers, "grpc-message");

    public string? StatusOrHeader(string name) => Header(IsTrailersOnly ? Headers : Trailers, name);

    public string? ContentType => ContentHeaders.ContentType?.ToString();

    public T Single<T>(MessageParser<T> parser) where T : IMessage<T>
    {
        Assert.Single(Messages);
        Assert.False(Messages[0].Compressed);
        return parser.ParseFrom(Messages[0].Payload);
    }

    public static string? Header(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
}
