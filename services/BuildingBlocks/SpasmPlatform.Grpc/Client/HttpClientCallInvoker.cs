using Google.Protobuf;
using SpasmPlatform.Grpc.Diagnostics;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Client;

/// <summary>Sends calls over the channel's HttpClient; idempotent unary calls go through the retry pipeline.</summary>
internal sealed class HttpClientCallInvoker(GrpcChannel channel) : CallInvoker
{
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        EnsureType(method, MethodType.Unary);
        ArgumentNullException.ThrowIfNull(request);
        var activity = ClientCallTelemetry.Start(method, ref options);
        if (method.IsIdempotent && channel.RetryPipeline is { } pipeline)
        {
            var retrying = new RetryingUnaryCall<TRequest, TResponse>(channel, pipeline, method, host, options, request);
            ClientCallTelemetry.EndWhen(activity, method.FullName, retrying.ResponseAsync, ClientCallTelemetry.FromResponse);
            return new AsyncUnaryCall<TResponse>(retrying.ResponseAsync, retrying.ResponseHeadersAsync, retrying.GetStatus, retrying.GetTrailers, retrying.Dispose);
        }

        var call = new GrpcCall<TRequest, TResponse>(channel, method, host, options);
        call.StartUnary(request);
        ClientCallTelemetry.EndWhen(activity, method.FullName, call.ResponseAsync, ClientCallTelemetry.FromResponse);
        return new AsyncUnaryCall<TResponse>(call.ResponseAsync, call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        EnsureType(method, MethodType.ServerStreaming);
        ArgumentNullException.ThrowIfNull(request);
        var activity = ClientCallTelemetry.Start(method, ref options);
        var call = new GrpcCall<TRequest, TResponse>(channel, method, host, options);
        call.StartServerStreaming(request);
        ClientCallTelemetry.EndWhen(activity, method.FullName, call.Completion, ClientCallTelemetry.FromStatus);
        return new AsyncServerStreamingCall<TResponse>(call.ResponseStream!, call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options)
    {
        EnsureType(method, MethodType.ClientStreaming);
        var activity = ClientCallTelemetry.Start(method, ref options);
        var call = new GrpcCall<TRequest, TResponse>(channel, method, host, options);
        call.StartClientStreaming();
        ClientCallTelemetry.EndWhen(activity, method.FullName, call.Completion, ClientCallTelemetry.FromStatus);
        return new AsyncClientStreamingCall<TRequest, TResponse>(call.RequestStream!, call.ResponseAsync, call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options)
    {
        EnsureType(method, MethodType.DuplexStreaming);
        var activity = ClientCallTelemetry.Start(method, ref options);
        var call = new GrpcCall<TRequest, TResponse>(channel, method, host, options);
        call.StartDuplexStreaming();
        ClientCallTelemetry.EndWhen(activity, method.FullName, call.Completion, ClientCallTelemetry.FromStatus);
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(call.RequestStream!, call.ResponseStream!, call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    private static void EnsureType<TRequest, TResponse>(Method<TRequest, TResponse> method, MethodType expected)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        if (method.Type != expected)
        {
            throw new ArgumentException($"{method.FullName} is a {method.Type} method and cannot be started as {expected}.", nameof(method));
        }
    }
}
