using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using Google.Protobuf;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Client;

/// <summary>
/// One attempt of a call: one HTTP/2 request and its response. It ends exactly once (see <see cref="Complete"/>)
/// with the trailers' status, or earlier through cancellation, the deadline, or a transport or protocol error.
/// </summary>
internal sealed partial class GrpcCall<TRequest, TResponse> : IRetryableAttempt, IChannelCall
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly GrpcChannel _channel;
    private readonly string? _host;
    private readonly int _previousAttempts;
    private readonly DateTime? _deadline;
    private readonly CancellationTokenSource _callCts = new();
    private readonly TaskCompletionSource<Metadata> _responseHeaders = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<TResponse>? _response;
    private readonly TaskCompletionSource<PipeReader?> _responseBody = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Status> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private GrpcRequestContent? _content;
    private HttpResponseMessage? _httpResponse;
    private Timer? _deadlineTimer;
    private CancellationTokenRegistration _cancellationRegistration;
    private CallOutcome? _outcome;

    public GrpcCall(GrpcChannel channel, Method<TRequest, TResponse> method, string? host, CallOptions options, int previousAttempts = 0)
    {
        channel.ThrowIfDisposed();
        _channel = channel;
        _host = host;
        _previousAttempts = previousAttempts;
        _deadline = EffectiveDeadline(options.Deadline);
        Method = method;
        Options = options;
        if (method.Type is MethodType.Unary or MethodType.ClientStreaming)
        {
            _response = new TaskCompletionSource<TResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        // Callers rarely await the headers; a failed call must not leave an unobserved faulted task behind.
        _responseHeaders.Task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public Method<TRequest, TResponse> Method { get; }

    public CallOptions Options { get; }

    public string MethodFullName => Method.FullName;

    public Task<Metadata> ResponseHeadersAsync => _responseHeaders.Task;

    public Task<TResponse> ResponseAsync => _response?.Task ?? throw new InvalidOperationException($"{Method.Type} calls have no single response.");

    /// <summary>Completes with the final status when the call has ended; never faults.</summary>
    public Task<Status> Completion => _completion.Task;

    /// <summary>
    /// The server answered with response headers and a body to follow (not Trailers-Only). From then on the
    /// call is committed: gRPC never retries it, since the server may have acted on it.
    /// </summary>
    public bool HeadersCommitted { get; private set; }

    public bool CanRetry
    {
        get
        {
            lock (_lock)
            {
                return _outcome is { Status.StatusCode: StatusCode.Unavailable } && !HeadersCommitted;
            }
        }
    }

    public IClientStreamWriter<TRequest>? RequestStream { get; private set; }

    public IAsyncStreamReader<TResponse>? ResponseStream { get; private set; }

    internal CallOutcome? Outcome
    {
        get
        {
            lock (_lock)
            {
                return _outcome;
            }
        }
    }

    internal CancellationToken CallToken => _callCts.Token;

    internal bool HasSingleResponse => _response is not null;

    /// <summary>UTC deadline, or null for none. A local-time deadline would silently shift by the UTC offset, so it is refused.</summary>
    internal static DateTime? EffectiveDeadline(DateTime? deadline)
    {
        if (deadline is not { } value || value == DateTime.MaxValue)
        {
            return null;
        }

        if (value.Kind != DateTimeKind.Utc && value != DateTime.MinValue)
        {
            throw new InvalidOperationException("A call deadline must be a UTC DateTime (DateTimeKind.Utc) or DateTime.MaxValue.");
        }

        return value;
    }

    public void StartUnary(TRequest request) => StartWithMessage(request);

    public void StartServerStreaming(TRequest request)
    {
        ResponseStream = new HttpResponseStreamReader<TRequest, TResponse>(this);
        StartWithMessage(request);
    }

    public void StartClientStreaming()
    {
        var content = GrpcRequestContent.ForStream();
        RequestStream = new HttpRequestStreamWriter<TRequest, TResponse>(this, content);
        Start(content);
    }

    public void StartDuplexStreaming()
    {
        var content = GrpcRequestContent.ForStream();
        RequestStream = new HttpRequestStreamWriter<TRequest, TResponse>(this, content);
        ResponseStream = new HttpResponseStreamReader<TRequest, TResponse>(this);
        Start(content);
    }

    public Status GetStatus() =>
        Outcome?.Status ?? throw new InvalidOperationException("Unable to get the status because the call is not complete.");

    public Metadata GetTrailers() =>
        Outcome?.Trailers ?? throw new InvalidOperationException("Can't get the call trailers because the call has not completed.");

    /// <summary>Cancels the call if it is still running; a finished call is left as it is.</summary>
    public void Dispose() => Cancel("gRPC call disposed.");

    public void OnChannelDisposed() => Cancel("The channel was disposed.");

    /// <summary>Frames one request message: compressed per the channel, checked against the send limit.</summary>
    internal byte[] SerializeRequest(TRequest message)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        MessageFraming.WriteMessage(buffer, message, _channel.CompressionAlgorithm, _channel.MaxSendMessageSize);
        return buffer.WrittenSpan.ToArray();
    }

    private void StartWithMessage(TRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        byte[] framed;
        try
        {
            framed = SerializeRequest(request);
        }
        catch (RpcException ex)
        {
            // Too large to send: the call fails without reaching the server, as a call, not as a throw from the invoker.
            Complete(new CallOutcome(ex.Status, ex.Trailers, ex.RichStatus));
            return;
        }

        Start(GrpcRequestContent.ForMessage(framed));
    }

    private void Start(GrpcRequestContent content)
    {
        ClientLog.StartingCall(_channel.Logger, Method.FullName);
        _content = content;
        var remaining = _deadline - DateTime.UtcNow;
        if (remaining <= TimeSpan.Zero)
        {
            // Already past: fail without sending anything the server would only have to reject.
            OnDeadlineExceeded();
            return;
        }

        if (!_channel.TryAddActiveCall(this))
        {
            Cancel("The channel was disposed.");
            return;
        }

        if (Options.CancellationToken.CanBeCanceled)
        {
            // Runs inline when the token is already cancelled, which ends the call before it is sent.
            _cancellationRegistration = Options.CancellationToken.UnsafeRegister(static state => ((GrpcCall<TRequest, TResponse>)state!).Cancel("Call canceled by the client."), this);
        }

        if (Outcome is not null)
        {
            return;
        }

        if (remaining is { } timeout)
        {
            _deadlineTimer = new Timer(static state => ((GrpcCall<TRequest, TResponse>)state!).OnDeadlineTimer(), this, Timeout.Infinite, Timeout.Infinite);
            _deadlineTimer.Change(TimerDueTime(timeout), Timeout.InfiniteTimeSpan);
        }

        _ = RunAsync(CreateRequest(content, remaining));
    }

    private HttpRequestMessage CreateRequest(GrpcRequestContent content, TimeSpan? timeout)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _channel.GetCallUri(Method.FullName))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };

        var headers = request.Headers;
        headers.TryAddWithoutValidation(GrpcProtocol.UserAgentHeader, UserAgent.Value);
        // Required by the spec so that proxies which drop trailers can be detected; some servers reject calls without it.
        headers.TryAddWithoutValidation(GrpcProtocol.TeHeader, "trailers");
        headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, MessageCompression.AcceptEncoding);
        if (_channel.CompressionAlgorithm is { } compression)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.EncodingHeader, compression);
        }

        if (timeout is { } value)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcTimeout.Format(value));
        }

        if (_previousAttempts > 0)
        {
            // gRFC A6: tells the server (and its logs) that this is a retry.
            headers.TryAddWithoutValidation("grpc-previous-rpc-attempts", _previousAttempts.ToString(CultureInfo.InvariantCulture));
        }

        if (Options.Headers is { } metadata)
        {
            MetadataHeaders.AddTo(headers, metadata);
        }

        if (_host is not null)
        {
            headers.Host = _host;
        }

        return request;
    }
}
