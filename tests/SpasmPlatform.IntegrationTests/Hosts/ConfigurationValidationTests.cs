using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.Hosts;

/// <summary>A service started with settings it cannot work with says which ones, all at once, and exits with 78 (EX_CONFIG).</summary>
public sealed class ConfigurationValidationTests
{
    [Theory]
    [InlineData("Knowledge")]
    [InlineData("Assessment")]
    [InlineData("CarePlan")]
    public async Task Missing_and_invalid_settings_are_listed_without_a_stack_trace(string project)
    {
        await using var service = ServiceProcess.Start(project, new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = string.Empty,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "carrier-pigeon",
            ["Knowledge__Address"] = "knowledge:5102",
            ["RateLimiting__Burst"] = "lots",
            ["RateLimiting__Enabled"] = "sometimes",
        });

        await service.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(78, service.ExitCode);
        Assert.Contains("ConnectionStrings__Postgres", service.Output, StringComparison.Ordinal);
        Assert.Contains("OTEL_EXPORTER_OTLP_PROTOCOL is 'carrier-pigeon'", service.Output, StringComparison.Ordinal);
        Assert.Contains("Knowledge:Address is 'knowledge:5102'", service.Output, StringComparison.Ordinal);
        Assert.Contains("RateLimiting:Burst is 'lots'", service.Output, StringComparison.Ordinal);
        Assert.Contains("RateLimiting:Enabled is 'sometimes'", service.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", service.Output, StringComparison.Ordinal);
    }
}
