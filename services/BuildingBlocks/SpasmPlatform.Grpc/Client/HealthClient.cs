using Grpc.Health.V1;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Client;

/// <summary>Client of the standard grpc.health.v1.Health service (grpc/grpc doc/health-checking.md).</summary>
public sealed class HealthClient : ClientBase
{
    private static readonly Method<HealthCheckRequest, HealthCheckResponse> CheckMethod =
        Method<HealthCheckRequest, HealthCheckResponse>.FromDescriptor(HealthReflection.Descriptor.Services[0].FindMethodByName("Check"));

    private static readonly Method<HealthCheckRequest, HealthCheckResponse> WatchMethod =
        Method<HealthCheckRequest, HealthCheckResponse>.FromDescriptor(HealthReflection.Descriptor.Services[0].FindMethodByName("Watch"));

    public HealthClient(GrpcChannel channel)
        : base(channel)
    {
    }

    public HealthClient(CallInvoker callInvoker)
        : base(callInvoker)
    {
    }

    /// <summary>The serving status of <c>request.Service</c> ("" for the server as a whole); NOT_FOUND for an unknown service.</summary>
    public AsyncUnaryCall<HealthCheckResponse> CheckAsync(HealthCheckRequest request, Metadata? headers = null, DateTime? deadline = null, CancellationToken cancellationToken = default) =>
        CheckAsync(request, new CallOptions(headers, deadline, cancellationToken));

    public AsyncUnaryCall<HealthCheckResponse> CheckAsync(HealthCheckRequest request, CallOptions options) =>
        CallInvoker.AsyncUnaryCall(CheckMethod, null, options, request);

    /// <summary>The current status, then every change of it, until the call is cancelled.</summary>
    public AsyncServerStreamingCall<HealthCheckResponse> Watch(HealthCheckRequest request, Metadata? headers = null, DateTime? deadline = null, CancellationToken cancellationToken = default) =>
        Watch(request, new CallOptions(headers, deadline, cancellationToken));

    public AsyncServerStreamingCall<HealthCheckResponse> Watch(HealthCheckRequest request, CallOptions options) =>
        CallInvoker.AsyncServerStreamingCall(WatchMethod, null, options, request);
}
