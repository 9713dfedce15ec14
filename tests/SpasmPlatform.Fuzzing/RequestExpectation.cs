namespace SpasmPlatform.Fuzzing;

/// <summary>What a correct server answers to a request, by what the request breaks.</summary>
public enum RequestExpectation
{
    /// <summary>A gRPC response: HTTP 200, application/grpc, a valid grpc-status.</summary>
    Grpc,

    /// <summary>Not a gRPC request (content type): HTTP 415, as PROTOCOL-HTTP2.md asks.</summary>
    UnsupportedMediaType,

    /// <summary>Not a POST: an HTTP 4xx, there is no call.</summary>
    HttpClientError,

    /// <summary>Header blocks past the server's limits: HTTP/2 may refuse the stream (431 or RST_STREAM) before any call.</summary>
    MayBeRefusedByTransport,
}
