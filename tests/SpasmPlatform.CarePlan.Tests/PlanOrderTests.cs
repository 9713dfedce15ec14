using SpasmPlatform.Assessment.V1;
using SpasmPlatform.CarePlan.Drafting;
using SpasmPlatform.Knowledge.Loading;
using SpasmPlatform.Knowledge.V1;
using SpasmPlatform.Triage.Engine;

namespace SpasmPlatform.CarePlan.Tests;

/// <summary>
/// The order of a plan and the second-line relation come from the pinned knowledge version's content (plan_order,
/// second_line); a version published before the content carried them drafts exactly as the drafter did then.
/// </summary>
public sealed class PlanOrderTests
{
    private static readonly string[] V1Plan = ["cold_therapy", "heat_therapy", "nsaids", "stretching", "strengthening_exercise", "staying_active"];

    [Fact]
    public void Reordering_the_phases_and_interventions_in_the_content_reorders_the_plan()
    {
        var knowledge = Samples.Knowledge.Clone();
        var phases = knowledge.PlanOrder.Phases;
        var acute = phases.Single(p => p.Phase == CarePhase.Acute);
        acute.Interventions.Remove("cold_therapy");
        acute.Interventions.Add("cold_therapy");
        var any = phases.Single(p => p.Phase == CarePhase.Any);
        phases.Remove(any);
        phases.Insert(0, any);

        Assert.Equal(V1Plan, Codes(Samples.Plan("v01-lifting-strain")));
        Assert.Equal(["staying_active", "heat_therapy", "nsaids", "cold_therapy", "stretching", "strengthening_exercise"], Codes(Draft("v01-lifting-strain", knowledge)));
    }

    [Fact]
    public void The_second_line_relation_is_the_contents()
    {
        var gutBleed = Samples.Submission("v01-lifting-strain");
        gutBleed.Comorbidities.Add(Comorbidity.GiUlcerOrBleed);
        Assert.DoesNotContain("weak_opioids", Codes(Samples.Plan("v01-lifting-strain")));
        Assert.Contains("weak_opioids", Codes(Samples.Plan(gutBleed)));

        // Without the relation the weak opioid is planned beside the NSAID, with no "cannot be used" reason.
        var withoutRelation = Samples.Knowledge.Clone();
        withoutRelation.Interventions.Single(i => i.Code == "weak_opioids").SecondLine = null;
        var plan = Draft("v01-lifting-strain", withoutRelation);
        Assert.Equal(["cold_therapy", "heat_therapy", "nsaids", "weak_opioids", "stretching", "strengthening_exercise", "staying_active"], Codes(plan));
        Assert.DoesNotContain("cannot be used", plan.Interventions.Single(i => i.Code == "weak_opioids").Rationale, StringComparison.Ordinal);

        // A relation the content adds holds heat back while cold can be used.
        var heatAfterCold = Samples.Knowledge.Clone();
        heatAfterCold.Interventions.Single(i => i.Code == "heat_therapy").SecondLine = new SecondLine { After = "cold_therapy" };
        Assert.Equal(V1Plan.Where(c => c != "heat_therapy"), Codes(Draft("v01-lifting-strain", heatAfterCold)));
    }

    [Fact]
    public void The_shipped_plan_order_is_the_order_plans_had_before_it_was_content()
    {
        var shipped = PlanOrdering.Of(Samples.Knowledge);
        var derived = PlanOrdering.Of(WithoutPlanOrder(Samples.Knowledge));
        var plannable = Samples.Knowledge.Interventions.Where(i => i.Stance != Stance.NotRecommended).ToList();

        Assert.Equal(plannable.OrderBy(derived.Position).Select(i => i.Code), plannable.OrderBy(shipped.Position).Select(i => i.Code));
        Assert.All(Samples.Knowledge.Interventions, i => Assert.Equal(derived.FirstLineOf(i.Code), shipped.FirstLineOf(i.Code)));
        Assert.Equal("nsaids", shipped.FirstLineOf("weak_opioids"));
    }

    [Fact]
    public void Content_without_a_plan_order_drafts_every_sample_as_before()
    {
        var older = WithoutPlanOrder(Samples.Knowledge);
        foreach (var (name, submission) in SamplesAndVariants())
        {
            var triage = Samples.Triage(submission);
            Assert.True(
                CarePlanDrafter.Draft(submission, triage, Samples.Knowledge).Equals(CarePlanDrafter.Draft(submission, triage, older)),
                $"{name} drafts differently without the plan order");
        }
    }

    [Fact]
    public void The_frozen_1_1_0_release_orders_and_chooses_as_the_drafter_did_then()
    {
        var release = KnowledgeLoader.LoadDirectory(Path.Combine(Samples.RepoRoot(), "tests", "SpasmPlatform.Triage.Tests", "Releases", "knowledge-1.1.0"));
        Assert.Null(release.PlanOrder);
        var gutBleed = Samples.Submission("v01-lifting-strain");
        gutBleed.Comorbidities.Add(Comorbidity.GiUlcerOrBleed);
        var engine = TriageEngine.For(release);

        var plain = CarePlanDrafter.Draft(Samples.Submission("v01-lifting-strain"), engine.Decide(Samples.Submission("v01-lifting-strain")), release);
        var bleed = CarePlanDrafter.Draft(gutBleed, engine.Decide(gutBleed), release);

        Assert.Equal("1.1.0", plain.KnowledgeVersion);
        Assert.Equal(V1Plan, Codes(plain));
        Assert.Equal(["cold_therapy", "heat_therapy", "weak_opioids", "stretching", "strengthening_exercise", "staying_active"], Codes(bleed));
        Assert.Contains("nsaids cannot be used (contraindicated by COMORBIDITY_GI_ULCER_OR_BLEED", bleed.Interventions.Single(i => i.Code == "weak_opioids").Rationale, StringComparison.Ordinal);
    }

    /// <summary>The knowledge as a version stored before 1.3.0 reads back: no plan order, no second-line relation.</summary>
    private static KnowledgeBase WithoutPlanOrder(KnowledgeBase knowledge)
    {
        var older = knowledge.Clone();
        older.PlanOrder = null;
        foreach (var intervention in older.Interventions)
        {
            intervention.SecondLine = null;
        }

        return older;
    }

    /// <summary>Every sample, and each with one comorbidity, risk factor or medication added, or its pain made chronic.</summary>
    private static IEnumerable<(string Name, SubmitAssessmentRequest Submission)> SamplesAndVariants()
    {
        foreach (var name in Samples.Names())
        {
            yield return (name, Samples.Submission(name));
            foreach (var comorbidity in Enum.GetValues<Comorbidity>())
            {
                var submission = Samples.Submission(name);
                submission.Comorbidities.Add(comorbidity);
                yield return ($"{name} + {comorbidity}", submission);
            }

            foreach (var factor in Enum.GetValues<RiskFactor>())
            {
                var submission = Samples.Submission(name);
                submission.RiskFactors.Add(factor);
                yield return ($"{name} + {factor}", submission);
            }

            foreach (var medication in Enum.GetValues<Medication>())
            {
                var submission = Samples.Submission(name);
                submission.CurrentMedications.Add(medication);
                yield return ($"{name} + {medication}", submission);
            }

            var chronic = Samples.Submission(name);
            chronic.Presentation.DurationDays = 120;
            yield return ($"{name}, chronic", chronic);
        }
    }

    private static V1.CarePlan Draft(string sample, KnowledgeBase knowledge)
    {
        var submission = Samples.Submission(sample);
        return CarePlanDrafter.Draft(submission, Samples.Triage(submission), knowledge);
    }

    private static List<string> Codes(V1.CarePlan plan) => [.. plan.Interventions.Select(i => i.Code)];
}
