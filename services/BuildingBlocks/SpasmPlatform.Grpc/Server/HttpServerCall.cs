using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Server;

/// <summary>
/// One server call over one HTTP/2 stream. Owns the response. A call with a deadline gets a timer, its own
/// cancellation source and a write lock, so a deadline that fires while the handler is writing cannot interleave
/// frames; a call without one allocates none of these (the common case, and the hot path).
/// </summary>
internal sealed partial class HttpServerCall : ServerCallContext, IDisposable
{
    // Task.Delay cannot wait longer than this; longer deadlines are reported but not timed.
    private static readonly TimeSpan MaxTimerDelay = TimeSpan.FromMilliseconds(int.MaxValue - 1);

    private static readonly TimeSpan StuckWriterGrace = TimeSpan.FromSeconds(1);

    private readonly HttpContext _http;
    private readonly GrpcServiceOptions _options;
    private readonly ILogger _logger;
    private CancellationTokenSource? _cts;
    private SemaphoreSlim? _writeLock;
    private readonly string _method;
    private Metadata? _requestHeaders;
    private Metadata? _responseTrailers;
    private Dictionary<object, object>? _userState;
    private TimeSpan? _timeout;
    private DateTime _deadline = DateTime.MaxValue;
    private string? _requestEncoding;
    private bool _responseStarted;
    private bool _completed;
    private bool _deadlineExceeded;

    public HttpServerCall(HttpContext http, string method, GrpcServiceOptions options, ILogger logger)
    {
        _http = http;
        _method = method;
        _options = options;
        _logger = logger;
        ResponseCompressionAlgorithm = options.ResponseCompressionAlgorithm;
    }

    public override string Method => _method;

    public override string Host => _http.Request.Host.Value ?? string.Empty;

    public override string Peer => FormatPeer(_http.Connection.RemoteIpAddress, _http.Connection.RemotePort);

    public override DateTime Deadline => _deadline;

    public override Metadata RequestHeaders => _requestHeaders ??= ReadRequestHeaders();

    public override CancellationToken CancellationToken => _cts?.Token ?? _http.RequestAborted;

    public override Metadata ResponseTrailers => _responseTrailers ??= new Metadata();

    public override Status Status { get; set; } = Status.DefaultSuccess;

    public override string? ResponseCompressionAlgorithm { get; set; }

    public override IDictionary<object, object> UserState => _userState ??= [];

    internal string? RequestEncoding => _requestEncoding;

    internal int? MaxReceiveMessageSize => _options.MaxReceiveMessageSize;

    internal bool DeadlineExceeded => _deadlineExceeded;

    /// <summary>True when the server must time the call (see <see cref="RunWithDeadlineAsync"/>).</summary>
    internal bool HasTimer => _cts is not null;

    public override HttpContext GetHttpContext() => _http;

    /// <summary>Reads grpc-timeout and grpc-encoding; returns the status to end the call with when they are unusable.</summary>
    public Status? Initialize(bool clientStreams)
    {
        // A client stream may legitimately run long and send slowly: Kestrel's body-size and data-rate limits would
        // cut it off. A single request message is bounded by MaxReceiveMessageSize, well under those limits.
        if (clientStreams)
        {
            if (_http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } maxBody)
            {
                maxBody.MaxRequestBodySize = null;
            }

            if (_http.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } minRate)
            {
                minRate.MinDataRate = null;
            }
        }

        var response = _http.Response;
        response.ContentType = GrpcProtocol.ContentType;
        response.Headers[GrpcProtocol.AcceptEncodingHeader] = MessageCompression.AcceptEncoding;

        var timeoutHeader = _http.Request.Headers[GrpcProtocol.TimeoutHeader].ToString();
        if (timeoutHeader.Length > 0)
        {
            if (GrpcTimeout.TryParse(timeoutHeader, out var timeout))
            {
                _timeout = timeout;
                _deadline = timeout >= DateTime.MaxValue - DateTime.UtcNow ? DateTime.MaxValue : DateTime.UtcNow + timeout;
                if (timeout <= MaxTimerDelay)
                {
                    _cts = CancellationTokenSource.CreateLinkedTokenSource(_http.RequestAborted);
                    _writeLock = new SemaphoreSlim(1, 1);
                }
            }
            else
            {
                // As grpc-dotnet does: a malformed timeout is logged and the call runs without a deadline.
                Log.InvalidTimeout(_logger, timeoutHeader, _method);
            }
        }

        var encoding = _http.Request.Headers[GrpcProtocol.EncodingHeader].ToString();
        if (encoding.Length > 0 && !string.Equals(encoding, GrpcProtocol.IdentityEncoding, StringComparison.Ordinal))
        {
            if (!MessageCompression.IsSupported(encoding))
            {
                return new Status(StatusCode.Unimplemented, $"Unsupported grpc-encoding value '{encoding}'. Supported encodings: {MessageCompression.AcceptEncoding}");
            }

            _requestEncoding = encoding;
        }

        return null;
    }

    /// <summary>Runs the call's work; if the deadline passes first, ends the call with DEADLINE_EXCEEDED by itself.</summary>
    public async Task RunWithDeadlineAsync(Task work)
    {
        var timeout = _timeout!.Value;
        using var timer = new CancellationTokenSource();
        var expired = Task.Delay(timeout, timer.Token);
        if (await Task.WhenAny(work, expired).ConfigureAwait(false) == expired)
        {
            await OnDeadlineAsync().ConfigureAwait(false);
        }
        else
        {
            await timer.CancelAsync().ConfigureAwait(false);
        }

        // The handler must not outlive the request: wait for it even after the client has its answer.
        await work.ConfigureAwait(false);
    }

    public void Dispose()
    {
        _cts?.Dispose();
        _writeLock?.Dispose();
    }

    private async Task OnDeadlineAsync()
    {
        _deadlineExceeded = true;
        await _cts!.CancelAsync().ConfigureAwait(false);

        // A writer finishing its flush holds the lock for moments; one blocked on HTTP/2 flow control (flushes are not
        // cancellable, see FlushAsync) would hold it indefinitely: then reset the stream (CANCEL) rather than hang the call.
        if (!await _writeLock!.WaitAsync(StuckWriterGrace).ConfigureAwait(false))
        {
            _http.Features.Get<IHttpResetFeature>()?.Reset(8);
            return;
        }

        try
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            WriteStatus(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"), null);
            await _http.Response.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The client went away while we were answering; nothing left to tell it.
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private Metadata ReadRequestHeaders()
    {
        var metadata = new Metadata();
        foreach (var (name, values) in _http.Request.Headers)
        {
            if (GrpcProtocol.IsReservedHeader(name))
            {
                continue;
            }

            foreach (var value in values)
            {
                if (value is null)
                {
                    continue;
                }

                try
                {
                    foreach (var entry in Metadata.FromHeader(name, value))
                    {
                        metadata.Add(entry);
                    }
                }
                catch (Exception ex) when (ex is ArgumentException or FormatException)
                {
                    Log.BadMetadata(_logger, name, _method);
                }
            }
        }

        return metadata;
    }

    private static string FormatPeer(IPAddress? address, int port) => address switch
    {
        null => "unknown",
        { AddressFamily: AddressFamily.InterNetworkV6 } => $"ipv6:[{address}]:{port}",
        _ => $"ipv4:{address}:{port}",
    };

    internal static string CurrentTraceId(HttpContext http) => Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier;
}
