using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SpasmPlatform.CarePlan.Infrastructure;

/// <summary>NOT_SERVING until the read model exists.</summary>
internal sealed class CarePlanReadinessCheck(CarePlanBootstrapper bootstrapper) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(bootstrapper.IsReady
            ? HealthCheckResult.Healthy("care-plan storage ready")
            : HealthCheckResult.Unhealthy("care-plan storage is starting"));
}
