using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SpasmPlatform.Knowledge.Infrastructure;

/// <summary>NOT_SERVING until the read model exists and the bundled content is published.</summary>
internal sealed class KnowledgeReadinessCheck(KnowledgeBootstrapper bootstrapper) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(bootstrapper.IsReady
            ? HealthCheckResult.Healthy("knowledge base ready")
            : HealthCheckResult.Unhealthy("knowledge base is starting"));
}
