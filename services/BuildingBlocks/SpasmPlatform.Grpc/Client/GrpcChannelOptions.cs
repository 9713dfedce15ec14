using Microsoft.Extensions.Logging;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Client;

public sealed class GrpcChannelOptions
{
    /// <summary>
    /// Sends requests through this handler instead of the channel's own SocketsHttpHandler (tests, TLS settings).
    /// The channel disposes it only when <see cref="DisposeHttpHandler"/> is true.
    /// </summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    public bool DisposeHttpHandler { get; set; }

    /// <summary>Largest response message accepted, after decompression; null means unlimited.</summary>
    public int? MaxReceiveMessageSize { get; set; } = GrpcProtocol.DefaultMaxReceiveMessageSize;

    /// <summary>Largest request message sent; null means unlimited.</summary>
    public int? MaxSendMessageSize { get; set; }

    /// <summary>Compresses request messages with this grpc-encoding ("gzip" or "deflate"); null sends them as they are.</summary>
    public string? CompressionAlgorithm { get; set; }

    public GrpcRetryOptions Retry { get; set; } = new();

    public ILoggerFactory? LoggerFactory { get; set; }
}
