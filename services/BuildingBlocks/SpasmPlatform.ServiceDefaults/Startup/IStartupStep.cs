namespace SpasmPlatform.ServiceDefaults.Startup;

/// <summary>
/// Something a service must have done before it answers calls or consumes messages (after its storage is ready):
/// wait for the bus, load the rules it triages with, publish its bundled content. Steps run once, in registration
/// order; a transient failure is retried with back-off, any other stops the host (it must never serve without them).
/// </summary>
public interface IStartupStep
{
    /// <summary>What the service is waiting for while this step has not succeeded ("the knowledge service").</summary>
    string Name { get; }

    Task RunAsync(CancellationToken cancellationToken);

    /// <summary>True when retrying can help: the dependency is not up yet.</summary>
    bool IsTransient(Exception exception);
}
