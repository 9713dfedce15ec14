using Microsoft.AspNetCore.Http;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Server;

/// <summary>What a handler knows about its call, and what it may set on the response.</summary>
public abstract class ServerCallContext
{
    /// <summary>"/package.Service/Method".</summary>
    public abstract string Method { get; }

    public abstract string Host { get; }

    /// <summary>The client's address as "ipv4:a.b.c.d:port" or "ipv6:[::1]:port".</summary>
    public abstract string Peer { get; }

    /// <summary>UTC deadline from grpc-timeout; <see cref="DateTime.MaxValue"/> when the client set none.</summary>
    public abstract DateTime Deadline { get; }

    public abstract Metadata RequestHeaders { get; }

    /// <summary>Fires when the deadline passes or the client cancels (RST_STREAM).</summary>
    public abstract CancellationToken CancellationToken { get; }

    public abstract Metadata ResponseTrailers { get; }

    /// <summary>The status sent when the handler returns normally; an exception overrides it.</summary>
    public abstract Status Status { get; set; }

    /// <summary>Compression for response messages (e.g. "gzip"); applied only if the client accepts it.</summary>
    public abstract string? ResponseCompressionAlgorithm { get; set; }

    public abstract IDictionary<object, object> UserState { get; }

    /// <summary>Sends response headers now; may be called once, before the first message.</summary>
    public abstract Task WriteResponseHeadersAsync(Metadata responseHeaders);

    public abstract HttpContext GetHttpContext();
}
