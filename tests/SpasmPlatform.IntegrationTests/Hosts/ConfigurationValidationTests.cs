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

    [Theory]
    [InlineData("CarePlan", "CarePlan__DraftingConcurrency", "0", "DraftingConcurrency")]
    [InlineData("CarePlan", "CarePlan__QueuePrefix", "Other Clinic's/", "QueuePrefix")]
    [InlineData("Assessment", "Assessment__CarePlanLinkConcurrency", "100000", "CarePlanLinkConcurrency")]
    [InlineData("Assessment", "Assessment__SubmitBatching__Writers", "0", "Writers")]
    public async Task A_service_option_out_of_range_stops_the_host_with_its_name(string project, string variable, string value, string option)
    {
        await using var service = ServiceProcess.Start(project, new Dictionary<string, string> { [variable] = value });

        await service.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(78, service.ExitCode);
        Assert.Contains(option, service.Output, StringComparison.Ordinal);
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

    [Theory]
    [InlineData("Assessment", "", "Security:NotesKey is not set")]
    [InlineData("CarePlan", "", "Security:NotesKey is not set")]
    [InlineData("Assessment", "bm90IDMyIGJ5dGVz", "Security:NotesKey decodes to 12 bytes")]
    [InlineData("CarePlan", "%%%", "Security:NotesKey is not base64")]
    public async Task A_missing_or_invalid_notes_key_stops_the_services_that_store_notes(string project, string key, string expected)
    {
        await using var service = ServiceProcess.Start(project, new Dictionary<string, string>
        {
            ["Security__NotesKey"] = key,
        });

        await service.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(78, service.ExitCode);
        Assert.Contains(expected, service.Output, StringComparison.Ordinal);
        if (key.Length > 0)
        {
            // The value itself is never printed.
            Assert.DoesNotContain(key, service.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_notes_key_file_that_cannot_be_read_is_named()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-notes-key-{Guid.NewGuid():N}");
        await using var service = ServiceProcess.Start("Assessment", new Dictionary<string, string>
        {
            ["Security__NotesKey"] = string.Empty,
            ["Security__NotesKeyFile"] = missing,
        });

        await service.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(78, service.ExitCode);
        Assert.Contains($"Security:NotesKeyFile ('{missing}') cannot be read", service.Output, StringComparison.Ordinal);
    }
}
