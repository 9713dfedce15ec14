using System.Text.RegularExpressions;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using SpasmPlatform.Contracts.Presentation;

namespace SpasmPlatform.Console.EndToEnd;

/// <summary>
/// The people's flows in a real browser: a physiotherapist sees a fresh plan arrive and approves it, a second one
/// approving the same version is told who changed it, and an auditor finds the approval, the reads and an intact
/// chain. Every page is checked with axe-core at WCAG 2.2 AA and kept as a screenshot.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed partial class ConsoleFlowTests(ConsolePlatform platform)
{
    private const string Via = "via console:web-console";

    [Fact]
    public async Task A_physiotherapist_sees_a_new_plan_arrive_without_reloading_and_approves_it_and_the_auditor_finds_it()
    {
        var page = await platform.SignInAsync("pia.physio");
        await page.GotoAsync("/queue");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Review queue" }));
        // Loaded (empty or not) before the assessment exists.
        await page.Locator("table.queue, p:has-text('No plans await review.')").First.WaitForAsync();
        var navigations = 0;
        page.FrameNavigated += (_, frame) => navigations += frame == page.MainFrame ? 1 : 0;

        var assessment = await platform.SubmitAsync();
        var row = page.Locator($"tr:has-text('{assessment.PatientRef}')");
        await row.WaitForAsync(new() { Timeout = 90_000 });
        Assert.Equal(0, navigations);
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "new plan" }));
        Assert.Matches(TimeInBerlin(), await row.InnerTextAsync());
        await CheckAsync(page, "review-queue");

        await row.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Care plan for {assessment.PatientRef}" }));
        await page.GetByRole(AriaRole.Heading, new() { Name = "Interventions" }).WaitForAsync();
        var text = await page.Locator("main").InnerTextAsync();
        // Human words for the urgency, not the enum's name ("Within 2 weeks", never "Within2Weeks").
        Assert.Contains(HumanText.Of(assessment.Triage.Urgency), text, StringComparison.Ordinal);
        Assert.DoesNotMatch("Within2Weeks|Within24Hours|SameDay|SelfCare|PendingReview|ReferralOnly", text);
        await CheckAsync(page, "care-plan");

        await page.GetByLabel("Note (optional)").FillAsync("Reviewed in the console.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve the plan" }).ClickAsync();
        await Expect(page.GetByTestId("status").Filter(new() { HasText = "Approved" }));
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Approved by you" }));
        await platform.ScreenshotAsync(page, "care-plan-approved");

        // The queue no longer lists it.
        await page.GotoAsync("/queue");
        await page.Locator("table.queue, p:has-text('No plans await review.')").First.WaitForAsync();
        Assert.Equal(0, await page.Locator($"tr:has-text('{assessment.PatientRef}')").CountAsync());

        var auditor = await platform.SignInAsync("audrey.auditor");
        await auditor.GotoAsync("/audit");
        await auditor.GetByLabel("Assessment id", new() { Exact = true }).FillAsync(assessment.AssessmentId);
        await CheckAsync(auditor, "audit-desk");
        await ClickUntilAtAsync(
            auditor,
            auditor.GetByRole(AriaRole.Button, new() { Name = "Open its history" }),
            url => url.EndsWith($"/audit/assessments/{assessment.AssessmentId}", StringComparison.Ordinal));
        var approved = auditor.Locator("li[data-event='care_plan.approved']");
        await approved.WaitForAsync(new() { Timeout = 90_000 });
        Assert.Contains($"by pia.physio through physiotherapist:{ConsolePlatform.Clinic}/pia.physio {Via}", await approved.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("follows", await approved.InnerTextAsync(), StringComparison.Ordinal);
        var read = auditor.Locator("table.access-log tr").Filter(new() { HasText = "Get care plan" }).Filter(new() { HasText = $"pia.physio {Via}" });
        await read.First.WaitForAsync();
        await auditor.GetByRole(AriaRole.Button, new() { Name = "Verify integrity" }).ClickAsync();
        await Expect(auditor.GetByTestId("integrity").Filter(new() { HasText = "assessment service" }).Filter(new() { HasText = "Intact" }));
        await Expect(auditor.GetByTestId("integrity").Filter(new() { HasText = "care-plan service" }).Filter(new() { HasText = "Intact" }));
        await CheckAsync(auditor, "audit-assessment");

        await auditor.GetByRole(AriaRole.Button, new() { Name = "Replay under the pinned knowledge" }).ClickAsync();
        await Expect(auditor.GetByTestId("replay").Filter(new() { HasText = "the same decision" }));

        var download = await auditor.RunAndWaitForDownloadAsync(() => auditor.GetByRole(AriaRole.Link, new() { Name = "Download the decision report (HTML)" }).ClickAsync());
        var report = Path.Combine(platform.Screenshots, "decision-report.html");
        await download.SaveAsAsync(report);
        var html = await File.ReadAllTextAsync(report);
        Assert.Contains("Hash chain intact", html, StringComparison.Ordinal);
        Assert.Contains(assessment.AssessmentId, html, StringComparison.Ordinal);
        Assert.Matches(TimeInBerlin(), html);
        Assert.Contains("care_plan.approved", html, StringComparison.Ordinal);

        // The access log by patient, refused calls only: Pia's reads were allowed, so none.
        await auditor.GotoAsync("/audit");
        await auditor.GetByLabel("Naming the patient").FillAsync(assessment.PatientRef);
        await auditor.GetByRole(AriaRole.Button, new() { Name = "Show accesses" }).ClickAsync();
        await auditor.Locator("table.access-log tr").Filter(new() { HasText = "Get care plan" }).Filter(new() { HasText = $"pia.physio {Via}" }).First.WaitForAsync();
        await auditor.GetByLabel("Refused calls only").CheckAsync();
        await auditor.GetByRole(AriaRole.Button, new() { Name = "Show accesses" }).ClickAsync();
        await Expect(auditor.GetByRole(AriaRole.Status).Filter(new() { HasText = "0 accesses found." }));

        // Found by patient and period (today, the viewer's day), opened from the result.
        await auditor.GetByLabel("Patient", new() { Exact = true }).FillAsync(assessment.PatientRef);
        var today = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await auditor.GetByLabel("Submitted from (date)").FillAsync(today);
        await auditor.GetByRole(AriaRole.Button, new() { Name = "Find assessments" }).ClickAsync();
        var found = auditor.Locator("table.found tr").Filter(new() { HasText = assessment.PatientRef });
        await found.WaitForAsync();
        Assert.Contains(HumanText.Of(assessment.Triage.Urgency), await found.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Matches(TimeInBerlin(), await found.InnerTextAsync());
        await CheckAsync(auditor, "audit-found");
        await ClickUntilAtAsync(
            auditor,
            found.GetByRole(AriaRole.Link, new() { Name = $"Open the history of {assessment.AssessmentId}" }),
            url => url.EndsWith($"/audit/assessments/{assessment.AssessmentId}", StringComparison.Ordinal));
        await auditor.Locator("li[data-event='care_plan.approved']").WaitForAsync(new() { Timeout = 90_000 });
    }

    [Fact]
    public async Task A_second_physiotherapist_approving_a_stale_version_is_told_who_changed_it_and_keeps_her_note()
    {
        var assessment = await platform.SubmitAsync();
        var plan = await platform.PlanOfAsync(assessment.AssessmentId);

        var pia = await platform.SignInAsync("pia.physio");
        var peter = await platform.SignInAsync("peter.physio");
        foreach (var page in new[] { pia, peter })
        {
            await page.GotoAsync($"/plans/{plan.CarePlanId}");
            await page.GetByRole(AriaRole.Button, new() { Name = "Approve the plan" }).WaitForAsync();
        }

        await pia.GetByRole(AriaRole.Button, new() { Name = "Approve the plan" }).ClickAsync();
        await Expect(pia.GetByTestId("status").Filter(new() { HasText = "Approved" }));

        await peter.GetByLabel("Note (optional)").FillAsync("Peter's note that must survive.");
        await peter.GetByRole(AriaRole.Button, new() { Name = "Approve the plan" }).ClickAsync();
        var conflict = peter.GetByTestId("conflict");
        await conflict.WaitForAsync();
        Assert.Matches(new Regex("^Changed by pia\\.physio at .+ Europe/Berlin: now approved"), await conflict.InnerTextAsync());
        Assert.Equal("Peter's note that must survive.", await peter.GetByLabel("Note (optional)").InputValueAsync());
        await CheckAsync(peter, "care-plan-conflict");

        await peter.GetByRole(AriaRole.Button, new() { Name = "Reload the current version" }).ClickAsync();
        await Expect(peter.GetByTestId("status").Filter(new() { HasText = "Approved" }));
    }

    [Fact]
    public async Task A_data_controller_erases_a_patients_notes_in_her_own_name_once()
    {
        var assessment = await platform.SubmitAsync();
        Assert.NotEqual("", assessment.Submission.ClinicalNotes);
        var page = await platform.SignInAsync("dora.dpo");
        await page.GetByRole(AriaRole.Link, new() { Name = "Erasure", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Erase a patient's clinical notes" }));

        // Nothing is sent until the form is complete.
        await page.GetByLabel("Patient", new() { Exact = true }).FillAsync(assessment.PatientRef);
        await page.GetByRole(AriaRole.Button, new() { Name = "Erase the clinical notes" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Give the reason" }));
        await page.GetByLabel("Reason (required, recorded with the erasure)").FillAsync("Patient's request of 1 December.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Erase the clinical notes" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "cannot be recovered" }));
        Assert.False(await ReadAsync(assessment.AssessmentId) is { ClinicalNotesErased: true });

        await page.GetByLabel("I understand the notes cannot be recovered").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Erase the clinical notes" }).ClickAsync();
        var result = page.GetByTestId("erasure-result");
        await Expect(result.Filter(new() { HasText = $"Erased: the notes of 1 assessment of {assessment.PatientRef} are unreadable for good" }));
        Assert.Contains("by dora.dpo at", await result.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Matches(TimeInBerlin(), await result.InnerTextAsync());
        await CheckAsync(page, "erasure");

        var erased = await ReadAsync(assessment.AssessmentId);
        Assert.True(erased.ClinicalNotesErased);
        Assert.Equal("", erased.Submission.ClinicalNotes);

        // Again: nothing left, nothing new recorded; an unknown patient: said so, nothing erased.
        await page.GetByLabel("I understand the notes cannot be recovered").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Erase the clinical notes" }).ClickAsync();
        await Expect(result.Filter(new() { HasText = "Nothing left to erase" }));
        await page.GetByLabel("Patient", new() { Exact = true }).FillAsync("p-nobody");
        await page.GetByLabel("I understand the notes cannot be recovered").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Erase the clinical notes" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Your clinic has no assessments of patient p-nobody; nothing was erased." }));
    }

    private async Task<SpasmPlatform.Assessment.V1.Assessment> ReadAsync(string assessmentId)
    {
        using var channel = platform.Pki.Channel(platform.Assessment.Address, platform.ClinicSystem);
        return await new SpasmPlatform.Assessment.V1.AssessmentService.AssessmentServiceClient(channel).GetAssessmentAsync(new() { AssessmentId = assessmentId });
    }

    [Fact]
    public async Task A_clinician_reads_the_decision_as_a_flow_and_overrides_it_in_her_own_name()
    {
        var assessment = await platform.SubmitAsync();
        var page = await platform.SignInAsync("carla.clinician");
        await page.GotoAsync("/assessments");
        var open = page.GetByRole(AriaRole.Link, new() { Name = $"Read the decision for {assessment.PatientRef}" });
        await open.WaitForAsync();
        await CheckAsync(page, "assessments");
        await open.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Decision for {assessment.PatientRef}" }));
        foreach (var step in new[] { "1. Red flags", "2. STarT Back", "3. Likely causes", "4. Disposition" })
        {
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = step }));
        }

        var disposition = await page.GetByTestId("disposition").InnerTextAsync();
        Assert.StartsWith(HumanText.Of(assessment.Triage.Urgency), disposition, StringComparison.Ordinal);
        if (assessment.Triage.ActWithinMinutes >= 0)
        {
            Assert.Contains(HumanText.ActWithin(assessment.Triage.ActWithinMinutes).ToLowerInvariant(), disposition, StringComparison.Ordinal);
        }

        Assert.DoesNotMatch("\\d{4,} minutes", disposition);
        // Every cause shown names its source, and the source is listed on the page.
        var causeSource = page.Locator(".flow .sources a").First;
        var anchor = await causeSource.GetAttributeAsync("href") ?? "";
        Assert.Contains('#', anchor);
        Assert.Equal(1, await page.Locator($"[id='{anchor[(anchor.IndexOf('#') + 1)..]}']").CountAsync());
        await CheckAsync(page, "decision-flow");

        await page.GetByLabel("New urgency").SelectOptionAsync(new SelectOptionValue { Label = "Same day" });
        await page.GetByLabel("Reason (required)").FillAsync("Night pain reported on the phone.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Override" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Overridden to Same day" }));
        Assert.Contains("Overridden by carla.clinician", await page.GetByTestId("disposition").Locator("..").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_clinics_plan_and_an_unknown_plan_show_the_same_not_found_page()
    {
        var page = await platform.SignInAsync("pia.physio");
        await page.GotoAsync($"/plans/{Guid.NewGuid()}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not found" }));
        var unknown = await page.Locator("main").InnerTextAsync();

        // A plan of another clinic: drafted for clinic-other, opened by clinic-demo's physiotherapist.
        var other = await platform.SubmitForOtherClinicAsync();
        await page.GotoAsync($"/plans/{other.CarePlanId}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not found" }));
        Assert.Equal(unknown, await page.Locator("main").InnerTextAsync());
        await CheckAsync(page, "not-found");

        // A physiotherapist is not an auditor: the audit desk says so instead of calling the services.
        await page.GotoAsync("/audit");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not for your role" }));
    }

    [Fact]
    public async Task A_physiotherapist_amends_one_plan_and_rejects_another_with_the_keyboard_alone()
    {
        var first = await platform.PlanOfAsync((await platform.SubmitAsync()).AssessmentId);
        var second = await platform.PlanOfAsync((await platform.SubmitAsync()).AssessmentId);

        // Signed in without the mouse: the sign-in page is reached and used by keyboard, and passes axe.
        var page = await platform.NewPageAsync();
        await page.GotoAsync("/signin");
        await CheckAsync(page, "sign-in");
        // Focus starts on the page's heading (for screen readers), and the next stop is the list of people.
        await page.WaitForFunctionAsync("document.activeElement && document.activeElement.tagName === 'H1'");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("person-pia-physio", await page.EvaluateAsync<string>("document.activeElement.id"));
        Assert.NotEqual("none", await page.EvaluateAsync<string>("getComputedStyle(document.activeElement).outlineStyle"));
        await page.Keyboard.PressAsync("ArrowDown");
        Assert.True(await page.Locator("#person-peter-physio").IsCheckedAsync());
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(url => !url.Contains("/signin", StringComparison.Ordinal));
        await Expect(page.GetByText("Peter Lindqvist, Physiotherapist at clinic-demo"));

        await page.GotoAsync($"/plans/{first.CarePlanId}");
        await page.GetByLabel("Amend the interventions").WaitForAsync();
        await page.GetByLabel("Amend the interventions").FocusAsync();
        await page.Keyboard.PressAsync("Space");
        var removed = first.Interventions[0];
        var remove = page.Locator($"[id='remove-{removed.Code}']");
        await remove.FocusAsync();
        await page.Keyboard.PressAsync("Space");
        Assert.True(await remove.IsCheckedAsync());
        await page.GetByLabel("Reason (required)").FocusAsync();
        await page.Keyboard.TypeAsync("Not suitable for this patient's work.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Amend the plan" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "by you at" }));
        Assert.Equal(0, await page.Locator("ol.interventions h3", new() { HasTextString = removed.Name }).CountAsync());
        await CheckAsync(page, "care-plan-amended");

        await page.GotoAsync($"/plans/{second.CarePlanId}");
        await page.GetByLabel("Reject").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Reject the plan" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Say why you reject the plan." }));
        await page.GetByLabel("Reason (required)").FillAsync("Seen in person; needs a different approach.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Reject the plan" }).ClickAsync();
        await Expect(page.GetByTestId("status").Filter(new() { HasText = "Rejected" }));

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "You are signed out." }));
        await page.GotoAsync("/queue");
        await page.WaitForURLAsync(url => url.Contains("/signin", StringComparison.Ordinal));
    }

    private async Task CheckAsync(IPage page, string name)
    {
        await platform.ScreenshotAsync(page, name);
        var result = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
        });
        Assert.True(result.Violations.Length == 0, $"{name}: " + string.Join('\n', result.Violations.Select(v => $"{v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => string.Join(' ', n.Target)))})")));
    }

    /// <summary>
    /// Clicks until the page is where the click leads. The page is shown before its server circuit is interactive, and
    /// a click that lands in between does nothing (twice in CI the history never opened); a user would click again.
    /// </summary>
    private static async Task ClickUntilAtAsync(IPage page, ILocator target, Func<string, bool> arrived)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        await target.ClickAsync();
        while (true)
        {
            try
            {
                await page.WaitForURLAsync(arrived, new() { Timeout = 5_000 });
                return;
            }
            catch (TimeoutException) when (DateTime.UtcNow < deadline)
            {
            }

            // Clicked again only while the button is still there: a click that worked may take longer than the wait
            // above to move the page on a loaded machine, and then the button is gone (CI waited 90 s for it once).
            if (await target.IsVisibleAsync())
            {
                await target.ClickAsync();
            }
        }
    }

    private static Task Expect(ILocator locator) => locator.First.WaitForAsync(new() { Timeout = 90_000 });

    [GeneratedRegex("\\d{1,2} [A-Z][a-z]{2} \\d{4}, \\d{2}:\\d{2} Europe/Berlin")]
    private static partial Regex TimeInBerlin();
}
