using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Common.V1;
using SpasmPlatform.Triage.Engine;

namespace SpasmPlatform.Triage.Tests.Engine;

/// <summary>Properties over generated submissions (fixed seeds): the safety guarantees must hold for every input, not just the vignettes.</summary>
public sealed class EnginePropertyTests
{
    private const int Cases = 400;

    private static readonly TriageEngine Engine = ShippedKnowledge.Engine;

    [Fact]
    public void Adding_any_red_flag_never_lowers_urgency()
    {
        foreach (var (seed, submission) in SubmissionGenerator.Many(Cases))
        {
            var before = Engine.Decide(submission).Urgency;
            foreach (var flag in SubmissionGenerator.BoolFields(RedFlags.Descriptor).Where(f => !(bool)f.Accessor.GetValue(submission.RedFlags)))
            {
                var raised = submission.Clone();
                flag.Accessor.SetValue(raised.RedFlags, true);
                var after = Engine.Decide(raised).Urgency;
                Assert.True(after <= before, $"seed {seed}: setting red_flags.{flag.Name} lowered urgency from {before} to {after}");
            }
        }
    }

    [Fact]
    public void Worse_vitals_never_lower_urgency()
    {
        foreach (var (seed, submission) in SubmissionGenerator.Many(Cases))
        {
            var before = Engine.Decide(submission).Urgency;
            var febrile = submission.Clone();
            febrile.Vitals ??= new Vitals();
            febrile.Vitals.TemperatureCelsius = 39.2;
            var hypotensive = submission.Clone();
            hypotensive.Vitals ??= new Vitals();
            hypotensive.Vitals.SystolicBpMmhg = 80;

            Assert.True(Engine.Decide(febrile).Urgency <= Urgency.SameDay, $"seed {seed}: fever 39.2 °C is not at least same-day");
            Assert.True(Engine.Decide(febrile).Urgency <= before, $"seed {seed}: fever lowered urgency");
            Assert.Equal(Urgency.Emergency, Engine.Decide(hypotensive).Urgency);
        }
    }

    [Fact]
    public void The_engine_is_deterministic()
    {
        foreach (var (seed, submission) in SubmissionGenerator.Many(Cases))
        {
            var first = Engine.Decide(submission);
            var second = Engine.Decide(submission.Clone());
            var freshEngine = new TriageEngine(ShippedKnowledge.Knowledge).Decide(submission);
            Assert.True(first.Equals(second), $"seed {seed}: two decisions differ");
            Assert.True(first.Equals(freshEngine), $"seed {seed}: a freshly compiled engine decides differently");
        }
    }

    [Fact]
    public void Every_suspected_condition_names_its_findings_rule_and_sources_and_ranks_by_urgency()
    {
        var suspectedSeen = 0;
        foreach (var (seed, submission) in SubmissionGenerator.Many(Cases))
        {
            var triage = Engine.Decide(submission);
            suspectedSeen += triage.SuspectedConditions.Count;
            foreach (var condition in triage.SuspectedConditions)
            {
                Assert.True(condition.Findings.Count > 0, $"seed {seed}: {condition.Code} has no findings");
                Assert.False(string.IsNullOrEmpty(condition.RuleId), $"seed {seed}: {condition.Code} has no rule");
                Assert.True(condition.Sources.Count > 0, $"seed {seed}: {condition.Code} has no sources");
                Assert.True(condition.Urgency >= triage.Urgency, $"seed {seed}: {condition.Code} is more urgent than the triage");
                Assert.Contains(triage.DecisionSteps, s => s.RuleId == condition.RuleId);
            }

            Assert.Equal(triage.SuspectedConditions.OrderBy(c => c.Urgency).Select(c => c.Urgency), triage.SuspectedConditions.Select(c => c.Urgency));
            Assert.Equal(triage.LikelyCauses.OrderByDescending(c => c.Score).Select(c => c.Score), triage.LikelyCauses.Select(c => c.Score));
            Assert.All(triage.LikelyCauses, c => Assert.InRange(c.Score, 0.0, 1.0));
            Assert.NotEqual(Urgency.Unspecified, triage.Urgency);
        }

        Assert.True(suspectedSeen > 50, "the generator should produce red flags often enough to test them");
    }

    [Theory]
    [InlineData("saddle_anaesthesia", Urgency.Emergency)]
    [InlineData("new_bladder_dysfunction", Urgency.Emergency)]
    [InlineData("bowel_incontinence", Urgency.Emergency)]
    [InlineData("sexual_dysfunction", Urgency.Emergency)]
    [InlineData("bilateral_leg_neurological_symptoms", Urgency.Emergency)]
    [InlineData("pulsatile_abdominal_mass", Urgency.Emergency)]
    [InlineData("collapse_or_loss_of_consciousness", Urgency.Emergency)]
    [InlineData("chest_pain", Urgency.Emergency)]
    [InlineData("major_trauma", Urgency.Emergency)]
    [InlineData("progressive_leg_weakness", Urgency.SameDay)]
    [InlineData("gait_disturbance", Urgency.SameDay)]
    [InlineData("fever_or_rigors", Urgency.SameDay)]
    [InlineData("history_of_cancer", Urgency.Within2Weeks)]
    [InlineData("unexplained_weight_loss", Urgency.Within2Weeks)]
    [InlineData("minor_trauma_with_bone_fragility", Urgency.Within2Weeks)]
    public void A_single_cardinal_red_flag_on_a_benign_low_risk_case_is_triaged_at_least_as_urgently_as_guidance_says(string flag, Urgency atLeast)
    {
        var submission = Vignette.V1();
        RedFlags.Descriptor.FindFieldByName(flag).Accessor.SetValue(submission.RedFlags, true);

        var triage = Engine.Decide(submission);

        Assert.True(triage.Urgency <= atLeast, $"red_flags.{flag} alone gave {triage.Urgency}, expected {atLeast} or more urgent");
        Assert.Contains(triage.SuspectedConditions, c => c.Findings.Contains($"red_flags.{flag}"));
    }
}
