using System.Text.RegularExpressions;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.Assessment;

/// <summary>spasm-cli assessment ... against running knowledge and assessment services.</summary>
public sealed partial class AssessmentCliTests(AssessmentHost host) : IClassFixture<AssessmentHost>
{
    [Fact]
    public async Task Submit_get_list_and_override_from_the_command_line()
    {
        var address = host.Service.Address.ToString();
        var sample = Path.Combine(Platform.RepoRoot, "samples", "assessments", "v04-cauda-equina.json");
        var requestId = $"cli-{Guid.NewGuid():N}";

        var (code, output, error) = await SpasmCli.RunAsync("assessment", "submit", "--address", address, "--file", sample, "--request-id", requestId);
        Assert.True(code == 0, error);
        Assert.Contains("Urgency:      EMERGENCY - act now", output, StringComparison.Ordinal);
        Assert.Contains("rule rf_ces_emergency", output, StringComparison.Ordinal);
        var id = AssessmentId().Match(output).Groups[1].Value;

        (code, output, _) = await SpasmCli.RunAsync("assessment", "get", "--address", address, id, "--json");
        Assert.Equal(0, code);
        Assert.Contains($"\"request_id\": \"{requestId}\"", output, StringComparison.Ordinal);

        (code, output, _) = await SpasmCli.RunAsync("assessment", "list", "--address", address, "--clinic", "clinic-demo", "--urgency", "Emergency");
        Assert.Equal(0, code);
        Assert.Contains(id, output, StringComparison.Ordinal);

        (code, _, error) = await SpasmCli.RunAsync("assessment", "override", "--address", address, id, "--expected-version", "1",
            "--urgency", "SameDay", "--clinician", "dr-cli", "--reason", "stale version on purpose");
        Assert.Equal(1, code);
        Assert.Contains("Aborted", error, StringComparison.Ordinal);

        // The version read just now: a care-plan link may have moved it past 2 since the submission.
        var current = await host.Client.GetAssessmentAsync(new SpasmPlatform.Assessment.V1.GetAssessmentRequest { AssessmentId = id });
        (code, output, _) = await SpasmCli.RunAsync("assessment", "override", "--address", address, id, "--expected-version", current.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--urgency", "SameDay", "--clinician", "dr-cli", "--reason", "seen in clinic; symptoms resolved");
        Assert.Equal(0, code);
        Assert.Contains("overridden by dr-cli", output, StringComparison.Ordinal);
        Assert.Contains("engine said EMERGENCY", output, StringComparison.Ordinal);
        // The deadline in words and whole units, as the console and the report say it.
        Assert.Matches(@"Urgency:      SAME DAY - act within \d+ (hour|day)s?( \d+ minutes?)?\r?\n", output);
    }

    [GeneratedRegex(@"^Assessment ([0-9a-f-]{36})", RegexOptions.Multiline)]
    private static partial Regex AssessmentId();
}
