using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SpasmPlatform.EventStore.Schema;

namespace SpasmPlatform.ServiceDefaults.Startup;

/// <summary>
/// Gets a service ready without blocking the host: its storage first (the event store's start-up path), then its
/// <see cref="IStartupStep"/>s. Until all are done the host reports NOT_SERVING (this is its readiness check), its
/// RPCs answer UNAVAILABLE (<see cref="Grpc.ReadinessInterceptor"/>) and its consumers wait (<see cref="WhenReadyAsync"/>),
/// so nothing fails merely because the service started before what it depends on.
/// </summary>
public sealed partial class ServiceStartup(
    ServiceInfo service,
    IStoreReadiness storage,
    IEnumerable<IStartupStep> steps,
    IHostApplicationLifetime lifetime,
    ILogger<ServiceStartup> logger) : BackgroundService, IHealthCheck
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string _waitingFor = "storage";

    public bool IsReady => _ready.Task.IsCompletedSuccessfully;

    /// <summary>What the service is still waiting for; meaningless once ready.</summary>
    public string WaitingFor => _waitingFor;

    public Task WhenReadyAsync(CancellationToken cancellationToken) => _ready.Task.WaitAsync(cancellationToken);

    /// <summary>The message of an RPC refused while starting.</summary>
    public string NotReadyMessage => $"The {service.Name} service is starting (waiting for {_waitingFor}); retry shortly.";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await storage.WhenReadyAsync(stoppingToken).ConfigureAwait(false);
        foreach (var step in steps)
        {
            _waitingFor = step.Name;
            if (!await RunWithBackoffAsync(step, stoppingToken).ConfigureAwait(false))
            {
                lifetime.StopApplication();
                return;
            }
        }

        _ready.TrySetResult();
        Ready(logger, service.Name);
    }

    private async Task<bool> RunWithBackoffAsync(IStartupStep step, CancellationToken stoppingToken)
    {
        var delay = FirstDelay;
        while (true)
        {
            try
            {
                await step.RunAsync(stoppingToken).ConfigureAwait(false);
                return true;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested && step.IsTransient(ex))
            {
                NotYet(logger, step.Name, delay.TotalSeconds, ex.Message);
                await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                Failed(logger, step.Name, ex);
                return false;
            }
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(IsReady
            ? HealthCheckResult.Healthy($"{service.Name} ready")
            : HealthCheckResult.Unhealthy($"{service.Name} is waiting for {_waitingFor}"));

    [LoggerMessage(1, LogLevel.Information, "The {Service} service is ready.")]
    private static partial void Ready(ILogger logger, string service);

    [LoggerMessage(2, LogLevel.Warning, "Waiting for {What}; retrying in {Seconds} s: {Reason}")]
    private static partial void NotYet(ILogger logger, string what, double seconds, string reason);

    [LoggerMessage(3, LogLevel.Critical, "Start-up step '{What}' failed and cannot be retried; stopping.")]
    private static partial void Failed(ILogger logger, string what, Exception exception);
}
