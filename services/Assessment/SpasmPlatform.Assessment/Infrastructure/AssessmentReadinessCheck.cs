using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SpasmPlatform.Assessment.Infrastructure;

/// <summary>NOT_SERVING until the read model exists and a knowledge version is loaded to triage with.</summary>
internal sealed class AssessmentReadinessCheck(AssessmentBootstrapper bootstrapper, KnowledgeCatalog knowledge) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(bootstrapper.IsReady
            ? HealthCheckResult.Healthy($"triaging with knowledge version {knowledge.Current?.Manifest.Version}")
            : HealthCheckResult.Unhealthy("waiting for storage and a knowledge version"));
}
