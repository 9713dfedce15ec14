using System.Diagnostics;
using System.Text.Json;
using Google.Protobuf;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.Audit;

/// <summary>spasm-cli audit as an auditor uses it, and the HTML decision report rendered by a real browser.</summary>
public sealed class AuditCliTests(AuditPlatform platform) : IClassFixture<AuditPlatform>
{
    private const string Hostile = "<script>alert('notes')</script> & \"quotes\"";

    [Fact]
    public async Task Trace_history_replay_and_verify_print_for_people_and_as_json()
    {
        var assessment = await SubmitAsync("v04-cauda-equina");
        var address = platform.Service.Address.ToString();

        var (traceCode, trace, traceError) = await SpasmCli.RunAsync("audit", "trace", "--address", address, assessment.AssessmentId);
        Assert.True(traceCode == 0, traceError);
        Assert.Contains($"Decision trace of assessment {assessment.AssessmentId}", trace, StringComparison.Ordinal);
        Assert.Contains("Rules that fired:", trace, StringComparison.Ordinal);
        Assert.Contains(assessment.Triage.DecisionSteps[0].RuleId, trace, StringComparison.Ordinal);
        Assert.Contains("assessment.triage_decided", trace, StringComparison.Ordinal);

        var (jsonCode, json, _) = await SpasmCli.RunAsync("audit", "trace", "--address", address, assessment.AssessmentId, "--json");
        Assert.Equal(0, jsonCode);
        using (var document = JsonDocument.Parse(json))
        {
            Assert.Equal(assessment.AssessmentId, document.RootElement.GetProperty("assessment_id").GetString());
        }

        var (historyCode, history, _) = await SpasmCli.RunAsync("audit", "history", "--address", address, "--assessment", assessment.AssessmentId, "--json");
        Assert.Equal(0, historyCode);
        var lines = history.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length >= 2);
        Assert.All(lines, line => Assert.StartsWith("{", line, StringComparison.Ordinal));

        var (replayCode, replay, _) = await SpasmCli.RunAsync("audit", "replay", "--address", address, assessment.AssessmentId);
        Assert.Equal(0, replayCode);
        Assert.Contains("REPRODUCED", replay, StringComparison.Ordinal);

        var (verifyCode, verify, _) = await SpasmCli.RunAsync("audit", "verify", "--address", address, "--assessment", assessment.AssessmentId);
        Assert.Equal(0, verifyCode);
        Assert.Matches(@"^INTACT: [23] events checked, 0 breaks", verify);

        var (findCode, found, findError) = await SpasmCli.RunAsync(
            "audit", "find", "--address", address, "--patient", assessment.PatientRef, "--clinic", assessment.ClinicId, "--from", assessment.SubmittedAt.ToDateTimeOffset().AddMinutes(-1).ToString("O"));
        Assert.True(findCode == 0, findError);
        Assert.Contains($"{assessment.AssessmentId}  clinic {assessment.ClinicId}, patient {assessment.PatientRef}", found, StringComparison.Ordinal);
        Assert.Contains("Emergency; care plan", found, StringComparison.Ordinal);
        var (noSearchCode, _, noSearchError) = await SpasmCli.RunAsync("audit", "find", "--address", address, "--clinic", assessment.ClinicId);
        Assert.Equal(1, noSearchCode);
        Assert.Contains("patient_ref: name a patient", noSearchError, StringComparison.Ordinal);

        var (missingCode, _, missingError) = await SpasmCli.RunAsync("audit", "trace", "--address", address, Guid.NewGuid().ToString());
        Assert.Equal(1, missingCode);
        Assert.StartsWith("NotFound", missingError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_writes_a_self_contained_encoded_report_that_renders_in_headless_Chromium()
    {
        var assessment = await SubmitAsync("v02-medium-risk", notes: Hostile);
        SpasmPlatform.Assessment.V1.Assessment linked = null!;
        await Eventually.WaitAsync(async () =>
        {
            linked = await platform.Client.GetAssessmentAsync(new GetAssessmentRequest { AssessmentId = assessment.AssessmentId });
            return linked.CarePlanId.Length > 0;
        }, TimeSpan.FromSeconds(60), "the care plan to be linked");
        await platform.Client.OverrideTriageAsync(new OverrideTriageRequest
        {
            AssessmentId = assessment.AssessmentId, ExpectedVersion = linked.Version, Urgency = SpasmPlatform.Common.V1.Urgency.Within2Weeks, ClinicianId = "dr-report", Reason = Hostile,
        });
        var artifacts = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "TestResults", "audit"));
        var report = Path.Combine(artifacts.FullName, $"decision-report-{assessment.AssessmentId}.html");

        var (code, output, error) = await SpasmCli.RunAsync("audit", "export", "--address", platform.Service.Address.ToString(), assessment.AssessmentId, "--out", report);

        Assert.True(code == 0, error);
        Assert.Contains("integrity: intact", output, StringComparison.Ordinal);
        var html = await File.ReadAllTextAsync(report);
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("Hash chain intact", html, StringComparison.Ordinal);
        Assert.Contains(assessment.Triage.DecisionSteps[0].RuleId, html, StringComparison.Ordinal);
        Assert.Contains("Review history", html, StringComparison.Ordinal);
        Assert.Contains("assessment.care_plan_linked", html, StringComparison.Ordinal);
        // Human words and units: the override's urgency as people say it, the deadline in days or hours, zones named.
        Assert.Contains("<td>Within 2 weeks</td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Within2Weeks", html, StringComparison.Ordinal);
        Assert.Matches("<th>Act within</th><td>\\d+ (day|hour)s?</td>", html);
        Assert.Matches("\\d{1,2} [A-Z][a-z]{2} \\d{4}, \\d{2}:\\d{2} [A-Za-z/_]+", html);
        // Free text arrives encoded, never as markup; nothing is fetched from elsewhere.
        Assert.DoesNotContain("<script>", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(&#39;notes&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;", html, StringComparison.Ordinal);
        Assert.DoesNotContain(" src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);

        var screenshot = Path.ChangeExtension(report, ".png");
        await ScreenshotAsync(report, screenshot);
        var png = await File.ReadAllBytesAsync(screenshot);
        Assert.True(png.Length > 10_000, $"the screenshot is only {png.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
    }

    private async Task<SpasmPlatform.Assessment.V1.Assessment> SubmitAsync(string sample, string? notes = null)
    {
        var submission = JsonParser.Default.Parse<SubmitAssessmentRequest>(File.ReadAllText(Path.Combine(Platform.RepoRoot, "samples", "assessments", $"{sample}.json")));
        submission.RequestId = $"{sample}-{Guid.NewGuid():N}";
        submission.ClinicId = $"clinic-cli-{Guid.NewGuid():N}";
        if (notes is not null)
        {
            submission.ClinicalNotes = notes;
        }

        return (await platform.Client.SubmitAssessmentAsync(submission)).Assessment;
    }

    /// <summary>Debian's chromium, headless, as CI has it (./spasm deps installs it).</summary>
    private static async Task ScreenshotAsync(string html, string png)
    {
        var start = new ProcessStartInfo("chromium") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars",
            $"--user-data-dir={Path.Combine(Path.GetTempPath(), $"spasm-chromium-{Guid.NewGuid():N}")}",
            "--window-size=1280,2400", $"--screenshot={png}", new Uri(html).AbsoluteUri,
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(File.Exists(png), $"chromium exited {process.ExitCode} without a screenshot:\n{await output}\n{await error}");
    }
}
