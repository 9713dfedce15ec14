using Grpc.Health.V1;
using SpasmPlatform.Grpc.Protocol;
using SpasmPlatform.Grpc.Server;
using ProtoServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace SpasmPlatform.Grpc.Health;

/// <summary>grpc.health.v1.Health as the health-checking spec describes it.</summary>
public sealed class HealthService(HealthStatusMonitor monitor) : IGrpcService
{
    public static ProtoServiceDescriptor Descriptor => HealthReflection.Descriptor.Services[0];

    public async Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context)
    {
        var status = await monitor.GetStatusAsync(request.Service, context.CancellationToken).ConfigureAwait(false)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"Unknown service '{request.Service}'."));
        return new HealthCheckResponse { Status = status };
    }

    /// <summary>Sends the current status at once, then each change (checked every watch period), until the client goes away.</summary>
    public async Task Watch(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responseStream, ServerCallContext context)
    {
        var changes = monitor.Subscribe(out var subscription);
        using (subscription)
        {
            ServingStatus? last = null;
            var token = context.CancellationToken;
            do
            {
                while (changes.TryRead(out _))
                {
                }

                // An unknown name is not an error for Watch: the service may be registered later.
                var status = await monitor.GetStatusAsync(request.Service, token).ConfigureAwait(false) ?? ServingStatus.ServiceUnknown;
                if (status != last)
                {
                    await responseStream.WriteAsync(new HealthCheckResponse { Status = status }, token).ConfigureAwait(false);
                    last = status;
                }
            }
            while (await WaitForChangeAsync(changes, token).ConfigureAwait(false));
        }
    }

    private async Task<bool> WaitForChangeAsync(System.Threading.Channels.ChannelReader<bool> changes, CancellationToken token)
    {
        using var period = CancellationTokenSource.CreateLinkedTokenSource(token);
        period.CancelAfter(monitor.WatchPeriod);
        try
        {
            return await changes.WaitToReadAsync(period.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            return true;
        }
    }
}
