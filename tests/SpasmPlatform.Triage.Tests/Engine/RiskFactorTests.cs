using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Common.V1;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.Triage.Tests.Engine;

/// <summary>
/// Rule set 1.2.0: a risk factor for serious pathology is never reassurance. Generated from the shipped rule set's
/// risk-factor rules: every risk factor alone, every pair of risk factors (across all conditions), and every risk
/// factor with every non-specific sign of its condition, each on several benign presentations that are self-care
/// without it. Each case must leave self-care, name the condition at least at the rule's level with its findings,
/// its sources and what would make it more urgent, and give the condition's own safety net.
/// </summary>
public sealed class RiskFactorTests
{
    private static readonly RuleSet Rules = ShippedKnowledge.Knowledge.RuleSet;

    private static readonly (string Name, Func<SubmitAssessmentRequest> Make)[] Bases =
    [
        ("V1 lifting strain, low risk", Vignette.V1),
        ("V10 sciatica on sedatives, low risk", Vignette.V10),
        ("30 y, 10 days, gradual, low risk", Benign),
    ];

    private static IEnumerable<(RiskFactorRule Rule, RiskFactorItem Factor)> Factors =>
        Rules.RiskFactorRules.SelectMany(r => r.RiskFactors.Select(f => (r, f)));

    [Fact]
    public void The_shipped_rule_set_grades_risk_factors_for_each_condition_that_has_them()
    {
        Assert.Equal("1.2.0", Rules.Version);
        Assert.Equal(
            ["abdominal_aortic_aneurysm", "metastatic_spinal_cord_compression", "spinal_infection", "spinal_malignancy", "vertebral_fracture"],
            Rules.RiskFactorRules.Select(r => r.ConditionCode).Order(StringComparer.Ordinal));
        Assert.All(Bases, b => Assert.Equal(Urgency.SelfCare, ShippedKnowledge.Engine.Decide(b.Make()).Urgency));
    }

    [Fact]
    public void Each_risk_factor_alone_names_its_condition_asks_for_review_and_gives_its_safety_net()
    {
        var cases = 0;
        foreach (var (baseName, make) in Bases)
        {
            foreach (var (rule, factor) in Factors)
            {
                var submission = make();
                CriterionSatisfier.Satisfy(submission, factor.When);
                Check(submission, rule, rule.Alone, $"{baseName} + '{factor.Text}'");
                cases++;
            }
        }

        Assert.True(cases >= 45, $"{cases} cases");
    }

    [Fact]
    public void Each_pair_of_risk_factors_names_both_conditions_and_escalates_within_one()
    {
        var factors = Factors.ToList();
        var cases = 0;
        foreach (var (baseName, make) in Bases)
        {
            for (var i = 0; i < factors.Count; i++)
            {
                for (var j = i + 1; j < factors.Count; j++)
                {
                    var (first, second) = (factors[i], factors[j]);
                    var submission = make();
                    CriterionSatisfier.Satisfy(submission, first.Factor.When);
                    CriterionSatisfier.Satisfy(submission, second.Factor.When);
                    var name = $"{baseName} + '{first.Factor.Text}' + '{second.Factor.Text}'";
                    if (first.Rule == second.Rule)
                    {
                        Check(submission, first.Rule, first.Rule.Escalated, name);
                    }
                    else
                    {
                        Check(submission, first.Rule, first.Rule.Alone, name);
                        Check(submission, second.Rule, second.Rule.Alone, name);
                    }

                    cases++;
                }
            }
        }

        Assert.True(cases >= 300, $"{cases} cases");
    }

    [Fact]
    public void Each_risk_factor_with_each_non_specific_sign_escalates()
    {
        var cases = 0;
        foreach (var (baseName, make) in Bases)
        {
            foreach (var (rule, factor) in Factors)
            {
                foreach (var sign in rule.NonSpecificSigns)
                {
                    var submission = make();
                    CriterionSatisfier.Satisfy(submission, factor.When);
                    CriterionSatisfier.Satisfy(submission, sign.When);
                    Check(submission, rule, rule.Escalated, $"{baseName} + '{factor.Text}' + sign '{sign.Text}'");
                    cases++;
                }
            }
        }

        Assert.True(cases >= 100, $"{cases} cases");
    }

    /// <summary>The clinical decision, written out by hand: one risk factor alone on a benign low-risk presentation.</summary>
    [Theory]
    [InlineData("red_flags.iv_drug_use", "spinal_infection", Urgency.Within24Hours)]
    [InlineData("red_flags.immunosuppressed", "spinal_infection", Urgency.Within24Hours)]
    [InlineData("red_flags.recent_bacterial_infection", "spinal_infection", Urgency.Within24Hours)]
    [InlineData("red_flags.recent_urinary_tract_infection", "spinal_infection", Urgency.Within24Hours)]
    [InlineData("red_flags.recent_spinal_surgery_or_injection", "spinal_infection", Urgency.Within24Hours)]
    [InlineData("red_flags.indwelling_catheter_or_recent_bacteraemia", "spinal_infection", Urgency.Within24Hours)]
    [InlineData("red_flags.tuberculosis_exposure", "spinal_infection", Urgency.Within24Hours)]
    [InlineData("comorbidities contains COMORBIDITY_DIABETES", "spinal_infection", Urgency.Within24Hours)]
    [InlineData("red_flags.history_of_cancer", "spinal_malignancy", Urgency.Within2Weeks)]
    [InlineData("red_flags.unexplained_weight_loss", "spinal_malignancy", Urgency.Within2Weeks)]
    [InlineData("comorbidities contains COMORBIDITY_OSTEOPOROSIS", "vertebral_fracture", Urgency.Routine)]
    [InlineData("current_medications contains MEDICATION_ORAL_CORTICOSTEROID", "vertebral_fracture", Urgency.Routine)]
    public void A_single_risk_factor_is_a_condition_to_consider_at_its_stated_urgency(string finding, string condition, Urgency urgency)
    {
        var submission = Benign();
        CriterionSatisfier.Satisfy(submission, finding);

        var triage = ShippedKnowledge.Engine.Decide(submission);

        Assert.Equal(urgency, triage.Urgency);
        var named = Assert.Single(triage.SuspectedConditions, c => c.Code == condition);
        Assert.Equal(Concern.ToConsider, named.Concern);
        Assert.Equal(urgency, named.Urgency);
        Assert.Contains(finding.Split(' ')[0], named.Findings);
    }

    [Fact]
    public void A_man_of_65_with_back_pain_has_an_aneurysm_to_consider_and_the_999_advice()
    {
        var submission = Benign();
        submission.AgeYears = 68;
        submission.Sex = Sex.Male;

        var triage = ShippedKnowledge.Engine.Decide(submission);

        Assert.Equal(Urgency.Routine, triage.Urgency);
        var aaa = Assert.Single(triage.SuspectedConditions, c => c.Code == "abdominal_aortic_aneurysm");
        Assert.Equal(Concern.ToConsider, aaa.Concern);
        Assert.Contains("red_flags.pulsatile_abdominal_mass", aaa.MoreUrgentIf);
        Assert.Contains(triage.SafetyNetAdvice, a => a.Contains("pulsing feeling in your tummy", StringComparison.Ordinal));

        submission.Sex = Sex.Female;
        Assert.DoesNotContain(ShippedKnowledge.Engine.Decide(submission).SuspectedConditions, c => c.Code == "abdominal_aortic_aneurysm");
    }

    [Fact]
    public void A_risk_factor_alone_says_what_to_ask_next()
    {
        var submission = Benign();
        submission.RedFlags.IvDrugUse = true;

        var infection = ShippedKnowledge.Engine.Decide(submission).SuspectedConditions.Single(c => c.Code == "spinal_infection");

        Assert.Equal(["red_flags.iv_drug_use"], infection.Findings);
        Assert.Contains("red_flags.fever_or_rigors", infection.MoreUrgentIf);
        Assert.Contains("vitals.temperature_celsius >= 38.0", infection.MoreUrgentIf);
        Assert.Contains("red_flags.progressive_leg_weakness", infection.MoreUrgentIf);
        Assert.Contains("red_flags.constant_or_night_pain", infection.MoreUrgentIf);
        Assert.Contains("presentation.age_at_first_onset_years > 50", infection.MoreUrgentIf);
        Assert.DoesNotContain("red_flags.iv_drug_use", infection.MoreUrgentIf);
    }

    [Fact]
    public void An_infection_risk_factor_with_a_progressive_deficit_is_an_emergency()
    {
        var submission = Benign();
        submission.Comorbidities.Add(Comorbidity.Diabetes);
        submission.RedFlags.ProgressiveLegWeakness = true;

        var triage = ShippedKnowledge.Engine.Decide(submission);

        Assert.Equal(Urgency.Emergency, triage.Urgency);
        var infection = triage.SuspectedConditions.Single(c => c.Code == "spinal_infection");
        Assert.Equal((Urgency.Emergency, Concern.Suspected, "rf_spinal_infection_neuro_emergency"), (infection.Urgency, infection.Concern, infection.RuleId));
        Assert.Empty(infection.MoreUrgentIf);
    }

    [Fact]
    public void First_onset_after_50_with_a_risk_factor_escalates_and_an_unsent_onset_does_not()
    {
        var submission = Benign();
        submission.AgeYears = 58;
        submission.RedFlags.RecentUrinaryTractInfection = true;
        Assert.Equal(Urgency.Within24Hours, ShippedKnowledge.Engine.Decide(submission).Urgency);

        submission.Presentation.AgeAtFirstOnsetYears = 50;
        Assert.Equal(Urgency.Within24Hours, ShippedKnowledge.Engine.Decide(submission).Urgency);

        submission.Presentation.AgeAtFirstOnsetYears = 57;
        var triage = ShippedKnowledge.Engine.Decide(submission);
        Assert.Equal(Urgency.SameDay, triage.Urgency);
        Assert.Equal(Concern.Suspected, triage.SuspectedConditions.Single(c => c.Code == "spinal_infection").Concern);
    }

    [Fact]
    public void Red_flag_conditions_are_suspected_and_graded_conditions_only_ever_rise()
    {
        foreach (var (seed, submission) in SubmissionGenerator.Many(400, 9001))
        {
            var triage = ShippedKnowledge.Engine.Decide(submission);
            foreach (var condition in triage.SuspectedConditions)
            {
                Assert.NotEqual(Concern.Unspecified, condition.Concern);
                Assert.True(condition.Urgency == Urgency.Emergency || condition.MoreUrgentIf.Count > 0 || condition.Code == "axial_spondyloarthritis" || condition.Code == "progressive_neurological_deficit",
                    $"seed {seed}: {condition.Code} at {condition.Urgency} says nothing about what would make it more urgent");
                Assert.Empty(condition.MoreUrgentIf.Intersect(condition.Findings));
            }

            if (Rules.RiskFactorRules.Any(r => r.RiskFactors.Any(f => Holds(submission, f.When))))
            {
                Assert.NotEqual(Urgency.SelfCare, triage.Urgency);
            }
        }
    }

    private static bool Holds(SubmitAssessmentRequest submission, Criterion when) =>
        SpasmPlatform.Triage.Findings.CompiledCriterion.Compile(when, SpasmPlatform.Triage.Findings.FindingPredicateParser.Submission, "test").Evaluate(submission);

    private static void Check(SubmitAssessmentRequest submission, RiskFactorRule rule, RiskFactorLevel atLeast, string name)
    {
        var triage = ShippedKnowledge.Engine.Decide(submission);
        Assert.True(triage.Urgency != Urgency.SelfCare, $"{name}: self-care");
        Assert.True(triage.Urgency <= atLeast.Urgency, $"{name}: {triage.Urgency}, below {atLeast.Urgency}");
        var condition = triage.SuspectedConditions.SingleOrDefault(c => c.Code == rule.ConditionCode);
        Assert.True(condition is not null, $"{name}: {rule.ConditionCode} not named");
        Assert.True(condition.Urgency <= atLeast.Urgency && condition.Concern >= atLeast.Concern, $"{name}: {rule.ConditionCode} at {condition.Urgency}/{condition.Concern}, below {atLeast.Urgency}/{atLeast.Concern}");
        Assert.True(condition.Findings.Count > 0 && condition.Sources.Count > 0, $"{name}: {rule.ConditionCode} without findings or sources");
        Assert.True(condition.Urgency == Urgency.Emergency || condition.MoreUrgentIf.Count > 0, $"{name}: {rule.ConditionCode} says nothing about what would make it more urgent");
        Assert.True(triage.DecisionSteps.Any(s => s.RuleId == rule.Id && s.Sources.Count > 0), $"{name}: no decision step for {rule.Id}");
        if (triage.Urgency != Urgency.Emergency)
        {
            foreach (var id in rule.SafetyNet)
            {
                var advice = Rules.SafetyNet.Single(a => a.Id == id);
                Assert.True(triage.SafetyNetAdvice.Contains(advice.Text), $"{name}: safety net {id} missing");
            }
        }
    }

    private static SubmitAssessmentRequest Benign()
    {
        var submission = Vignette.Base(30, 10);
        submission.StartBack = new StartBackAnswers { Bothersomeness = Bothersomeness.Slightly };
        return submission;
    }
}
