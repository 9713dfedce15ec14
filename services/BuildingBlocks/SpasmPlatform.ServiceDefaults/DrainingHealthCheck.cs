using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace SpasmPlatform.ServiceDefaults;

/// <summary>
/// Unhealthy from the moment the host starts stopping (SIGTERM), so readiness turns NOT_SERVING and load balancers
/// send new calls elsewhere while Kestrel finishes the calls it already accepted.
/// </summary>
public sealed class DrainingHealthCheck : IHealthCheck
{
    private volatile bool _draining;

    public DrainingHealthCheck(IHostApplicationLifetime lifetime)
    {
        ArgumentNullException.ThrowIfNull(lifetime);
        lifetime.ApplicationStopping.Register(() => _draining = true);
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_draining ? HealthCheckResult.Unhealthy("The host is draining before it stops.") : HealthCheckResult.Healthy());
}
