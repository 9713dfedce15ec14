using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.Deployment;

/// <summary>
/// deploy/local/dependency-audit.py, the vulnerability check of ./spasm test, and how test-summary.py counts it. The
/// package sources are NuGet service indexes served here, one with a VulnerabilityInfo resource and one without.
/// </summary>
public sealed class DependencyAuditTests : IAsyncLifetime
{
    private const string Finding =
        "/src/x.csproj : error NU1903: Warning As Error: Package 'Newtonsoft.Json' 12.0.1 has a known high severity vulnerability, https://github.com/advisories/GHSA-5crp-9r3c-p9vr";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"spasm-audit-{Guid.NewGuid():N}");
    private WebApplication? _sources;
    private Uri _address = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _sources = builder.Build();
        _sources.MapGet("/with-data/index.json", () => Results.Text(
            """{"version":"3.0.0","resources":[{"@id":"http://127.0.0.1/v/index.json","@type":"VulnerabilityInfo/6.7.0"}]}""", "application/json"));
        _sources.MapGet("/without-data/index.json", () => Results.Text(
            """{"version":"3.0.0","resources":[{"@id":"http://127.0.0.1/flat/","@type":"PackageBaseAddress/3.0.0"}]}""", "application/json"));
        await _sources.StartAsync();
        _address = new Uri(_sources.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async Task DisposeAsync()
    {
        if (_sources is not null)
        {
            await _sources.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_vulnerability_in_the_build_log_fails_the_check_naming_the_package()
    {
        var (exitCode, result, output) = await RunAuditAsync("with-data", "  Restored x.csproj\n" + Finding + "\n" + Finding + "\n");

        Assert.Equal(1, exitCode);
        Assert.Equal("failed", result.GetProperty("outcome").GetString());
        var details = result.GetProperty("details").EnumerateArray().Select(d => d.GetString()).ToList();
        Assert.Single(details, d => d!.StartsWith("Package 'Newtonsoft.Json' 12.0.1 has a known high severity vulnerability", StringComparison.Ordinal));
        Assert.Contains("GHSA-5crp-9r3c-p9vr", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_clean_build_passes_only_when_a_source_publishes_vulnerability_data()
    {
        var (withData, resultWithData, _) = await RunAuditAsync("with-data", "  Restored x.csproj\n");
        var (withoutData, resultWithoutData, output) = await RunAuditAsync("without-data", "  Restored x.csproj\n");

        Assert.Equal(0, withData);
        Assert.Equal("passed", resultWithData.GetProperty("outcome").GetString());
        Assert.Equal(0, withoutData);
        Assert.Equal("not-checked", resultWithoutData.GetProperty("outcome").GetString());
        Assert.Contains("NOT CHECKED: no package source publishes vulnerability data", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("failed", "0 passed, 1 failed")]
    [InlineData("passed", "1 passed, 0 failed")]
    [InlineData("not-checked", "0 passed, 0 failed")]
    public async Task The_summary_counts_the_check_as_one_result_unless_it_could_not_run(string outcome, string lastLine)
    {
        var results = Directory.CreateDirectory(Path.Combine(_directory, "results-" + outcome)).FullName;
        await File.WriteAllTextAsync(Path.Combine(results, "dependency-audit.check.json"),
            JsonSerializer.Serialize(new { name = "dependency vulnerabilities (NuGet audit)", outcome, details = new[] { "detail line" } }));

        var (_, output) = await RunAsync("python3", [Script("test-summary.py"), results], _directory);

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(lastLine, lines[^1].Trim());
        Assert.Contains($"dependency vulnerabilities (NuGet audit): {outcome}", output, StringComparison.Ordinal);
        Assert.Contains("    detail line", output, StringComparison.Ordinal);
    }

    private async Task<(int ExitCode, JsonElement Result, string Output)> RunAuditAsync(string source, string buildLog)
    {
        var repo = Directory.CreateDirectory(Path.Combine(_directory, $"repo-{Guid.NewGuid():N}")).FullName;
        await File.WriteAllTextAsync(Path.Combine(repo, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="test" value="{new Uri(_address, $"{source}/index.json")}" allowInsecureConnections="true" />
              </packageSources>
            </configuration>
            """);
        var log = Path.Combine(repo, "build.log");
        await File.WriteAllTextAsync(log, buildLog);
        var resultPath = Path.Combine(repo, "result.json");

        var (exitCode, output) = await RunAsync("python3", [Script("dependency-audit.py"), log, resultPath, repo], repo);

        Assert.True(File.Exists(resultPath), output);
        using var result = JsonDocument.Parse(await File.ReadAllTextAsync(resultPath));
        return (exitCode, result.RootElement.Clone(), output);
    }

    private static string Script(string name) => Path.Combine(Platform.RepoRoot, "deploy", "local", name);

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] arguments, string directory)
    {
        var start = new ProcessStartInfo(file, arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (process.ExitCode, await stdout + await stderr);
    }
}
