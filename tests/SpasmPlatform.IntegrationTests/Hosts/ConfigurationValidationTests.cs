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

    [Fact]
    public async Task Development_mode_refuses_to_listen_beyond_loopback()
    {
        await using var service = ServiceProcess.Start("Knowledge", new Dictionary<string, string>
        {
            ["Grpc__BindAddress"] = "0.0.0.0",
        });

        await service.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(78, service.ExitCode);
        Assert.Contains("development mode only listens on a loopback address", service.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mutual_tls_without_certificates_lists_the_settings_it_needs()
    {
        await using var service = ServiceProcess.Start("Assessment", new Dictionary<string, string>
        {
            ["Security__Mode"] = "MutualTls",
            ["Security__TrustedCa"] = "/nonexistent/ca.pem",
        });

        await service.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(78, service.ExitCode);
        Assert.Contains("Security__Certificate", service.Output, StringComparison.Ordinal);
        Assert.Contains("Security:TrustedCa (/nonexistent/ca.pem) cannot be loaded", service.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", service.Output, StringComparison.Ordinal);
    }
}
