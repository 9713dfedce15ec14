using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SpasmPlatform.EventStore.Schema;

internal sealed class SchemaReadinessCheck(SchemaMigrator migrator) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(migrator.IsReady ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("The event store schema is not migrated yet."));
}
