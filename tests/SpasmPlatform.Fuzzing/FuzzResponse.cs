using System.Net;

namespace SpasmPlatform.Fuzzing;

/// <summary>
/// What came back: the HTTP status and headers, the body, trailers; or how the exchange failed (transport error, or
/// still open when the client gave up on it).
/// </summary>
public sealed record FuzzResponse(
    HttpStatusCode? HttpStatus,
    IReadOnlyDictionary<string, string> Headers,
    IReadOnlyDictionary<string, string> Trailers,
    byte[] Body,
    string? TransportError,
    bool StillOpen)
{
    public bool IsTrailersOnly => Headers.ContainsKey("grpc-status");

    public string? GrpcStatus => (IsTrailersOnly ? Headers : Trailers).GetValueOrDefault("grpc-status");

    public string? GrpcMessage => (IsTrailersOnly ? Headers : Trailers).GetValueOrDefault("grpc-message");

    /// <summary>A short label for the status histogram: "OK", "INVALID_ARGUMENT", "HTTP 415", "transport error", ...</summary>
    public string Label => TransportError is not null ? "transport refused"
        : StillOpen ? "stream open at client cap"
        : HttpStatus != HttpStatusCode.OK ? $"HTTP {(int?)HttpStatus}"
        : int.TryParse(GrpcStatus, out var code) && code is >= 0 and <= 16 ? ((Grpc.Core.StatusCode)code).ToString()
        : $"grpc-status '{GrpcStatus}'";
}
