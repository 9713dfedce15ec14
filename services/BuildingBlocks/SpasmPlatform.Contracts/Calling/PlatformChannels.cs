using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;
using Google.Protobuf.Reflection;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.Contracts.Calling;

/// <summary>
/// How every caller of the platform (services, CLI, benchmarks, tests) sets up a channel: HTTP/2 with several
/// connections, retries of UNAVAILABLE only for the methods the protos mark idempotent, and a deadline on every call.
/// </summary>
public static class PlatformChannels
{
    /// <summary>Used when a unary call names no deadline of its own.</summary>
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(30);

    /// <summary>Used when a server-streaming call (a whole history, say) names no deadline of its own.</summary>
    public static readonly TimeSpan DefaultStreamDeadline = TimeSpan.FromMinutes(10);

    /// <summary>The platform's four services, whose idempotency levels the retry policy is built from.</summary>
    public static IReadOnlyList<ServiceDescriptor> Services { get; } =
    [
        AssessmentReflection.Descriptor.Services[0],
        KnowledgeReflection.Descriptor.Services[0],
        CareplanReflection.Descriptor.Services[0],
        AuditReflection.Descriptor.Services[0],
    ];

    /// <summary>A channel to <paramref name="address"/> through <paramref name="handler"/> (or a plain one).</summary>
    public static GrpcChannel Create(Uri address, HttpMessageHandler? handler = null, bool retries = true, int? maxReceiveMessageSize = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = handler ?? CreateHandler(),
            // The channel owns the handler: disposing the channel closes its connections.
            DisposeHttpClient = true,
            ServiceConfig = retries ? RetryPolicy() : null,
            MaxRetryAttempts = retries ? 4 : 0,
            MaxReceiveMessageSize = maxReceiveMessageSize ?? 16 * 1024 * 1024,
        });
    }

    /// <summary>A call invoker over <paramref name="channel"/> that gives every call without one a deadline.</summary>
    public static CallInvoker WithDefaultDeadline(this ChannelBase channel, TimeSpan? deadline = null, TimeSpan? streamDeadline = null) =>
        channel.Intercept(new DefaultDeadlineInterceptor(deadline ?? DefaultDeadline, streamDeadline ?? DefaultStreamDeadline));

    /// <summary>
    /// The channel's own handler: several HTTP/2 connections when one fills its stream limit, and keep-alive pings so
    /// a dead peer is noticed between calls.
    /// </summary>
    public static SocketsHttpHandler CreateHandler() => new()
    {
        EnableMultipleHttp2Connections = true,
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        KeepAlivePingDelay = TimeSpan.FromSeconds(60),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>
    /// Retries of UNAVAILABLE (the server was not there or is draining) for every method whose proto says
    /// IDEMPOTENT or NO_SIDE_EFFECTS; a method with side effects is never sent twice by the channel.
    /// </summary>
    public static ServiceConfig RetryPolicy(IEnumerable<ServiceDescriptor>? services = null)
    {
        var retried = new MethodConfig
        {
            RetryPolicy = new RetryPolicy
            {
                MaxAttempts = 4,
                InitialBackoff = TimeSpan.FromMilliseconds(200),
                MaxBackoff = TimeSpan.FromSeconds(5),
                BackoffMultiplier = 2,
                RetryableStatusCodes = { StatusCode.Unavailable },
            },
        };
        foreach (var method in (services ?? Services).SelectMany(s => s.Methods).Where(IsIdempotent))
        {
            retried.Names.Add(new MethodName { Service = method.Service.FullName, Method = method.Name });
        }

        return new ServiceConfig { MethodConfigs = { retried } };
    }

    public static bool IsIdempotent(MethodDescriptor method) =>
        method.GetOptions()?.IdempotencyLevel is MethodOptions.Types.IdempotencyLevel.Idempotent or MethodOptions.Types.IdempotencyLevel.NoSideEffects;

    private sealed class DefaultDeadlineInterceptor(TimeSpan unary, TimeSpan streaming) : Interceptor
    {
        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
            TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
            continuation(request, WithDeadline(context, unary));

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
            TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
            continuation(request, WithDeadline(context, streaming));

        private static ClientInterceptorContext<TRequest, TResponse> WithDeadline<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, TimeSpan deadline)
            where TRequest : class where TResponse : class =>
            context.Options.Deadline is null
                ? new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithDeadline(DateTime.UtcNow.Add(deadline)))
                : context;
    }
}
