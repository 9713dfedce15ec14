using MassTransit;

namespace SpasmPlatform.ServiceDefaults.Startup;

/// <summary>
/// For a service that must not miss a message sent while it starts (an announcement it would otherwise only learn
/// of at the next refresh): ready only once the bus and its receive endpoints are connected.
/// </summary>
public sealed class BusConnectedStep(IBusControl bus) : IStartupStep
{
    public string Name => "the message bus";

    public Task RunAsync(CancellationToken cancellationToken) =>
        bus.CheckHealth().Status == BusHealthStatus.Healthy
            ? Task.CompletedTask
            : throw new TimeoutException("the bus and its receive endpoints are not connected yet");

    public bool IsTransient(Exception exception) => exception is TimeoutException;
}
