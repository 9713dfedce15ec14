using System.Diagnostics;
using System.Text.RegularExpressions;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.IntegrationTests.Assessment;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.Deployment;

/// <summary>
/// The sample assessments that `./spasm up` submits (through `./spasm samples`, the same function) are stored once:
/// running it again, as every `up` does, adds nothing to the database.
/// </summary>
public sealed partial class SampleSubmissionTests(AssessmentHost host) : IClassFixture<AssessmentHost>, IDisposable
{
    private readonly string _stateDirectory = Path.Combine(Path.GetTempPath(), $"spasm-samples-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_stateDirectory))
        {
            Directory.Delete(_stateDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Running_the_samples_again_stores_nothing_new_and_shows_the_stored_triage()
    {
        var first = await RunSamplesAsync();
        var second = await RunSamplesAsync();

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.True(second.ExitCode == 0, second.Output);
        var firstIds = AssessmentIds(first.Output);
        Assert.Equal(3, firstIds.Length);
        Assert.DoesNotContain("(duplicate", first.Output, StringComparison.Ordinal);
        Assert.Equal(firstIds, AssessmentIds(second.Output));
        Assert.Equal(3, Regex.Count(second.Output, Regex.Escape("(duplicate: this request_id was seen before")));

        var stored = await host.Client.ListAssessmentsAsync(new ListAssessmentsRequest { ClinicId = "clinic-demo", PageSize = 500 });
        Assert.Equal(firstIds.Order(StringComparer.Ordinal), stored.Assessments.Select(a => a.AssessmentId).Order(StringComparer.Ordinal));
    }

    /// <summary>`./spasm samples` against the test's assessment process (cleartext: SPASM_SECURITY=development).</summary>
    private async Task<(int ExitCode, string Output)> RunSamplesAsync()
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(Platform.RepoRoot, "spasm"), "samples"])
        {
            WorkingDirectory = Platform.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["SPASM_SECURITY"] = "development";
        start.Environment["SPASM_ASSESSMENT_PORT"] = host.Service.Address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["SPASM_STATE_DIR"] = _stateDirectory;
        start.Environment["SPASM_CLI_DLL"] = Path.Combine(Platform.RepoRoot, "services", "Tools", "SpasmPlatform.Cli", "bin", Platform.BuildConfiguration, "net10.0", "spasm-cli.dll");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start ./spasm.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string[] AssessmentIds(string output) =>
        [.. AssessmentId().Matches(output).Select(m => m.Groups[1].Value)];

    [GeneratedRegex(@"^Assessment (\S+)  \(clinic", RegexOptions.Multiline)]
    private static partial Regex AssessmentId();
}
