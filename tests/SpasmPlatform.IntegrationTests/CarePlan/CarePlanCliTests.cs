using System.Text.RegularExpressions;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.CarePlan;

/// <summary>spasm-cli careplan ... against running knowledge and care-plan services, plans drafted from published triages.</summary>
public sealed partial class CarePlanCliTests(CarePlanPlatform platform) : IClassFixture<CarePlanPlatform>
{
    [Fact]
    public async Task List_show_amend_and_approve_from_the_command_line()
    {
        var address = platform.Services[0].Address.ToString();
        var clinic = $"clinic-{Guid.NewGuid():N}";
        var decided = CarePlanPlatform.Decided(CarePlanPlatform.Sample("v01-lifting-strain", clinic));
        await platform.PublishAsync(decided, decided.MessageId);
        var plan = await platform.WaitForPlanAsync(decided.AssessmentId);

        var (code, output, error) = await SpasmCli.RunAsync("careplan", "list", "--address", address, "--clinic", clinic);
        Assert.True(code == 0, error);
        Assert.Contains(plan.CarePlanId, output, StringComparison.Ordinal);
        Assert.Contains("PENDING REVIEW", output, StringComparison.Ordinal);

        (code, output, error) = await SpasmCli.RunAsync("careplan", "show", "--address", address, "--assessment", decided.AssessmentId);
        Assert.True(code == 0, error);
        Assert.Contains($"Care plan {plan.CarePlanId}", output, StringComparison.Ordinal);
        Assert.Contains("Status:       PENDING REVIEW", output, StringComparison.Ordinal);
        Assert.Contains("  ACUTE: the first days", output, StringComparison.Ordinal);
        Assert.Contains("    cold_therapy - ", output, StringComparison.Ordinal);
        Assert.Contains("schedule:  ", output, StringComparison.Ordinal);
        Assert.Contains("why:       ", output, StringComparison.Ordinal);
        Assert.Contains("Excluded:     routine_imaging (", output, StringComparison.Ordinal);
        Assert.Contains("not recommended by NICE-NG59", output, StringComparison.Ordinal);
        Assert.Contains($"Follow-up:    in {plan.FollowUpInDays} days", output, StringComparison.Ordinal);
        Assert.Contains($"plan version 1 (use as --expected-version), drafted from assessment version 2; rule set {plan.RuleSetVersion}, knowledge {plan.KnowledgeVersion}", output, StringComparison.Ordinal);
        Assert.Contains("Reviewer:     not reviewed yet", output, StringComparison.Ordinal);

        (code, output, _) = await SpasmCli.RunAsync("careplan", "show", "--address", address, plan.CarePlanId, "--json");
        Assert.Equal(0, code);
        Assert.Contains($"\"care_plan_id\": \"{plan.CarePlanId}\"", output, StringComparison.Ordinal);

        (code, _, error) = await SpasmCli.RunAsync("careplan", "amend", "--address", address, plan.CarePlanId, "--expected-version", "1",
            "--physio", "physio-cli", "--add", "levitation", "--reason", "unknown code on purpose");
        Assert.Equal(1, code);
        Assert.Contains("InvalidArgument", error, StringComparison.Ordinal);
        Assert.Contains("levitation", error, StringComparison.Ordinal);

        (code, output, error) = await SpasmCli.RunAsync("careplan", "amend", "--address", address, plan.CarePlanId, "--expected-version", "1",
            "--physio", "physio-cli", "--add", "posture_ergonomics,group_exercise", "--remove", "cold_therapy", "--reason", "prefers no ice");
        Assert.True(code == 0, error);
        Assert.DoesNotContain("cold_therapy - ", output, StringComparison.Ordinal);
        Assert.Contains("posture_ergonomics - ", output, StringComparison.Ordinal);
        Assert.Contains("group_exercise - ", output, StringComparison.Ordinal);
        Assert.Contains("added by physiotherapist physio-cli: prefers no ice", output, StringComparison.Ordinal);
        Assert.Contains("plan version 2", output, StringComparison.Ordinal);

        (code, _, error) = await SpasmCli.RunAsync("careplan", "approve", "--address", address, plan.CarePlanId, "--expected-version", "1", "--physio", "physio-cli");
        Assert.Equal(1, code);
        Assert.Contains("Aborted", error, StringComparison.Ordinal);

        (code, output, error) = await SpasmCli.RunAsync("careplan", "approve", "--address", address, plan.CarePlanId, "--expected-version", "2",
            "--physio", "physio-cli", "--note", "agreed with the patient");
        Assert.True(code == 0, error);
        Assert.Contains("Status:       APPROVED", output, StringComparison.Ordinal);
        Assert.Contains("Reviewer:     physio-cli at ", output, StringComparison.Ordinal);
        Assert.Contains("\"agreed with the patient\"", output, StringComparison.Ordinal);

        (code, output, _) = await SpasmCli.RunAsync("careplan", "list", "--address", address, "--clinic", clinic);
        Assert.Equal(0, code);
        Assert.DoesNotContain(plan.CarePlanId, output, StringComparison.Ordinal);

        (code, output, _) = await SpasmCli.RunAsync("careplan", "list", "--address", address, "--clinic", clinic, "--status", "Approved");
        Assert.Equal(0, code);
        Assert.Contains(plan.CarePlanId, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reject_and_show_a_referral_only_plan_from_the_command_line()
    {
        var address = platform.Services[0].Address.ToString();
        var clinic = $"clinic-{Guid.NewGuid():N}";
        var referral = CarePlanPlatform.Decided(CarePlanPlatform.Sample("v04-cauda-equina", clinic));
        var routine = CarePlanPlatform.Decided(CarePlanPlatform.Sample("v10-sedatives-sciatica", clinic));
        await platform.PublishAsync(referral, referral.MessageId);
        await platform.PublishAsync(routine, routine.MessageId);
        var referralPlan = await platform.WaitForPlanAsync(referral.AssessmentId);
        var routinePlan = await platform.WaitForPlanAsync(routine.AssessmentId);

        var (code, output, error) = await SpasmCli.RunAsync("careplan", "show", "--address", address, referralPlan.CarePlanId);
        Assert.True(code == 0, error);
        Assert.Contains("Status:       REFERRAL ONLY", output, StringComparison.Ordinal);
        Assert.Contains("Urgency:      EMERGENCY", output, StringComparison.Ordinal);
        Assert.Contains($"Referral:     {referralPlan.ReferralAction}", output, StringComparison.Ordinal);
        Assert.Contains("Interim:      ", output, StringComparison.Ordinal);
        Assert.Contains("Interventions: none (referral only", output, StringComparison.Ordinal);

        (code, output, error) = await SpasmCli.RunAsync("careplan", "show", "--address", address, "--assessment", routine.AssessmentId);
        Assert.True(code == 0, error);
        Assert.Contains("Caution:      MEDICATION_GABAPENTINOID", output, StringComparison.Ordinal);
        Assert.Contains("Excluded:     ", output, StringComparison.Ordinal);

        // Two instances draft concurrently, so which plan is newest is not fixed: both pages together hold both plans.
        (code, output, _) = await SpasmCli.RunAsync("careplan", "list", "--address", address, "--clinic", clinic, "--status", "all", "--page-size", "1");
        Assert.Equal(0, code);
        var token = PageToken().Match(output).Groups[1].Value;
        Assert.NotEmpty(token);
        (code, var second, _) = await SpasmCli.RunAsync("careplan", "list", "--address", address, "--clinic", clinic, "--status", "all", "--page-size", "1", "--page-token", token);
        Assert.Equal(0, code);
        Assert.Contains(routinePlan.CarePlanId, output + second, StringComparison.Ordinal);
        Assert.Contains(referralPlan.CarePlanId, output + second, StringComparison.Ordinal);
        Assert.Contains("REFERRAL ONLY", output + second, StringComparison.Ordinal);

        (code, _, error) = await SpasmCli.RunAsync("careplan", "reject", "--address", address, routinePlan.CarePlanId, "--expected-version", "1",
            "--physio", "physio-cli", "--reason", " ");
        Assert.Equal(1, code);
        Assert.Contains("reason: is required", error, StringComparison.Ordinal);

        (code, output, error) = await SpasmCli.RunAsync("careplan", "reject", "--address", address, routinePlan.CarePlanId, "--expected-version", "1",
            "--physio", "physio-cli", "--reason", "needs a face-to-face review first");
        Assert.True(code == 0, error);
        Assert.Contains("Status:       REJECTED", output, StringComparison.Ordinal);
        Assert.Contains("\"needs a face-to-face review first\"", output, StringComparison.Ordinal);

        (code, _, error) = await SpasmCli.RunAsync("careplan", "show", "--address", address, routinePlan.CarePlanId, "--assessment", routine.AssessmentId);
        Assert.NotEqual(0, code);
        Assert.Contains("exactly one of", error, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^more: --page-token (\S+)", RegexOptions.Multiline)]
    private static partial Regex PageToken();
}
