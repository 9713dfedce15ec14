using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Client;

/// <summary>
/// A long-lived connection pool to one server. Create one per address and share it: it is thread-safe, and
/// creating one per call would open a new TCP connection per call.
/// </summary>
public sealed class GrpcChannel : IDisposable
{
    private readonly CallInvoker _callInvoker;
    private readonly HashSet<IChannelCall> _activeCalls = [];
    private readonly Lock _lock = new();
    private volatile bool _disposed;

    private GrpcChannel(Uri address, GrpcChannelOptions options)
    {
        Address = address;
        MaxReceiveMessageSize = options.MaxReceiveMessageSize;
        MaxSendMessageSize = options.MaxSendMessageSize;
        CompressionAlgorithm = NormalizeCompression(options.CompressionAlgorithm);
        Logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<GrpcChannel>();
        RetryPipeline = UnaryRetryPipeline.Create(options.Retry ?? new GrpcRetryOptions(), Logger);

        var ownsHandler = options.HttpHandler is null;
        var handler = options.HttpHandler ?? CreateHttpHandler();
        HttpClient = new HttpClient(handler, disposeHandler: ownsHandler || options.DisposeHttpHandler)
        {
            // The call enforces its own deadline; HttpClient's 100 s default would cut long streams.
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        _callInvoker = new HttpClientCallInvoker(this);
    }

    public Uri Address { get; }

    internal HttpClient HttpClient { get; }

    internal int? MaxReceiveMessageSize { get; }

    internal int? MaxSendMessageSize { get; }

    internal string? CompressionAlgorithm { get; }

    internal ResiliencePipeline<IRetryableAttempt>? RetryPipeline { get; }

    internal ILogger Logger { get; }

    public static GrpcChannel ForAddress(string address, GrpcChannelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        return ForAddress(new Uri(address, UriKind.Absolute), options);
    }

    public static GrpcChannel ForAddress(Uri address, GrpcChannelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!address.IsAbsoluteUri || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"Address '{address}' must be an absolute http:// or https:// URI.", nameof(address));
        }

        return new GrpcChannel(address, options ?? new GrpcChannelOptions());
    }

    /// <summary>The invoker that sends calls over this channel; one instance, shared by every client of the channel.</summary>
    public CallInvoker CreateCallInvoker()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _callInvoker;
    }

    /// <summary>Cancels the calls still running on the channel, then closes its connections.</summary>
    public void Dispose()
    {
        IChannelCall[] activeCalls;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            activeCalls = [.. _activeCalls];
            _activeCalls.Clear();
        }

        foreach (var call in activeCalls)
        {
            call.OnChannelDisposed();
        }

        HttpClient.Dispose();
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Tracks a starting call; false once the channel is disposed, and the call must not start.</summary>
    internal bool TryAddActiveCall(IChannelCall call)
    {
        lock (_lock)
        {
            return !_disposed && _activeCalls.Add(call);
        }
    }

    internal void RemoveActiveCall(IChannelCall call)
    {
        lock (_lock)
        {
            _activeCalls.Remove(call);
        }
    }

    /// <summary>The request URI for a method, keeping any path base in the address (e.g. behind a path-routing proxy).</summary>
    internal Uri GetCallUri(string methodFullName)
    {
        var pathBase = Address.AbsolutePath.TrimEnd('/');
        return new Uri(Address, pathBase + methodFullName);
    }

    /// <summary>The handler a channel uses by default; public so that callers can add TLS settings and pass it back in the options.</summary>
    public static SocketsHttpHandler CreateHttpHandler() => new()
    {
        // One HTTP/2 connection allows only SETTINGS_MAX_CONCURRENT_STREAMS calls (often 100); more calls
        // would queue behind it. This lets the pool open further connections instead.
        EnableMultipleHttp2Connections = true,
        // Long enough that a channel used every few minutes keeps its warm connection, short enough that
        // connections to a scaled-down server are not held forever.
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        // Pings detect a silently dead peer (NAT timeout, killed pod) during long-running streams.
        KeepAlivePingDelay = TimeSpan.FromSeconds(60),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        // gRPC compresses messages itself and never follows redirects or uses cookies.
        AutomaticDecompression = DecompressionMethods.None,
        AllowAutoRedirect = false,
        UseCookies = false,
    };

    private static string? NormalizeCompression(string? algorithm)
    {
        if (algorithm is null || algorithm == GrpcProtocol.IdentityEncoding)
        {
            return null;
        }

        if (!MessageCompression.IsSupported(algorithm))
        {
            throw new ArgumentException($"Compression algorithm '{algorithm}' is not supported; use gzip or deflate.", nameof(algorithm));
        }

        return algorithm;
    }
}
