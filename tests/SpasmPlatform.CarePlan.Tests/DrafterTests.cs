using SpasmPlatform.Assessment.V1;
using SpasmPlatform.CarePlan.Drafting;
using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.Common.V1;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.CarePlan.Tests;

/// <summary>The drafter over the guidance vignettes (content/VIGNETTES.md), with the shipped content and the real engine.</summary>
public sealed class DrafterTests
{
    [Theory]
    [InlineData("v04-cauda-equina", Urgency.Emergency)]
    [InlineData("v05-mscc", Urgency.Emergency)]
    [InlineData("v05b-cancer-spinal-pain", Urgency.Within24Hours)]
    [InlineData("v06-spinal-infection", Urgency.SameDay)]
    [InlineData("v07-aaa", Urgency.Emergency)]
    public void Urgent_triage_gives_a_referral_only_plan_without_self_management(string sample, Urgency urgency)
    {
        var submission = Samples.Submission(sample);
        var triage = Samples.Triage(submission);
        var plan = CarePlanDrafter.Draft(submission, triage, Samples.Knowledge);

        Assert.Equal(CarePlanStatus.ReferralOnly, plan.Status);
        Assert.True(plan.ReferralOnly);
        Assert.Equal(urgency, plan.Urgency);
        Assert.Equal(triage.Disposition, plan.ReferralAction);
        Assert.Equal(triage.SafetyNetAdvice, plan.InterimAdvice);
        Assert.NotEmpty(plan.InterimAdvice);
        Assert.Empty(plan.Interventions);
        Assert.Equal(1, plan.FollowUpInDays);
    }

    [Fact]
    public void V1_low_risk_strain_plans_cold_then_heat_nsaid_stretching_and_staying_active()
    {
        var plan = Samples.Plan("v01-lifting-strain");

        Assert.Equal(CarePlanStatus.PendingReview, plan.Status);
        Assert.Equal(Urgency.SelfCare, plan.Urgency);
        var codes = plan.Interventions.Select(i => i.Code).ToList();
        Assert.Equal(["cold_therapy", "heat_therapy", "nsaids", "stretching", "strengthening_exercise", "staying_active"], codes);
        Assert.DoesNotContain("weak_opioids", codes);
        Assert.DoesNotContain("routine_imaging", codes);
        Assert.DoesNotContain("paracetamol_alone", codes);
        Assert.Contains("STarT Back low risk", plan.Interventions.Single(i => i.Code == "nsaids").Rationale, StringComparison.Ordinal);
        Assert.Contains("likely cause Muscle strain", plan.Interventions.Single(i => i.Code == "cold_therapy").Rationale, StringComparison.Ordinal);
        Assert.Equal("First 48-72 hours; at most 20 minutes at a time", plan.Interventions[0].Schedule);
        Assert.Contains(plan.Excluded, e => e.Code == "routine_imaging" && e.Reason.StartsWith("not recommended by NICE-NG59", StringComparison.Ordinal));
        Assert.Contains(plan.Cautions, c => c.Contains("lowest dose", StringComparison.Ordinal));
        Assert.Equal(14, plan.FollowUpInDays);
        Assert.Equal(Samples.Knowledge.Manifest.Version, plan.KnowledgeVersion);
    }

    [Fact]
    public void V1_with_a_gi_bleed_excludes_nsaids_naming_the_comorbidity_and_offers_a_weak_opioid_instead()
    {
        var submission = Samples.Submission("v01-lifting-strain");
        submission.Comorbidities.Add(Comorbidity.GiUlcerOrBleed);
        var plan = Samples.Plan(submission);

        Assert.DoesNotContain(plan.Interventions, i => i.Code == "nsaids");
        var excluded = Assert.Single(plan.Excluded, e => e.Code == "nsaids");
        Assert.StartsWith("contraindicated by COMORBIDITY_GI_ULCER_OR_BLEED", excluded.Reason, StringComparison.Ordinal);
        Assert.Contains("comorbidities contains COMORBIDITY_GI_ULCER_OR_BLEED", excluded.Reason, StringComparison.Ordinal);
        Assert.NotEmpty(excluded.Sources);
        Assert.Contains(plan.Interventions, i => i.Code == "weak_opioids" && i.Rationale.Contains("nsaids cannot be used", StringComparison.Ordinal));
        Assert.DoesNotContain(plan.Cautions, c => c.Contains("NSAIDs at the lowest dose", StringComparison.Ordinal));
    }

    [Fact]
    public void Pregnancy_contraindicates_nsaids()
    {
        var submission = Samples.Submission("v01-lifting-strain");
        submission.RiskFactors.Add(RiskFactor.Pregnancy);

        var excluded = Assert.Single(Samples.Plan(submission).Excluded, e => e.Code == "nsaids");
        Assert.StartsWith("contraindicated by RISK_FACTOR_PREGNANCY", excluded.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Caution_rules_of_planned_interventions_that_match_become_cautions()
    {
        var submission = Samples.Submission("v01-lifting-strain");
        submission.CurrentMedications.Add(Medication.Anticoagulant);

        var plan = Samples.Plan(submission);
        Assert.Contains(plan.Interventions, i => i.Code == "nsaids");
        Assert.Contains(plan.Cautions, c => c.Contains("Taking an anticoagulant", StringComparison.Ordinal) && c.Contains("MEDICATION_ANTICOAGULANT", StringComparison.Ordinal));
    }

    [Fact]
    public void V2_medium_risk_plans_physiotherapy_exercise_and_follows_up_at_four_weeks()
    {
        var plan = Samples.Plan("v02-medium-risk");

        Assert.Equal(CarePlanStatus.PendingReview, plan.Status);
        var codes = plan.Interventions.Select(i => i.Code).ToHashSet();
        Assert.Superset(codes, new HashSet<string> { "strengthening_exercise", "stretching", "manual_therapy", "group_exercise", "staying_active" });
        Assert.Equal(28, plan.FollowUpInDays);
    }

    [Fact]
    public void V3_high_risk_plans_psychologically_informed_physiotherapy_and_excludes_opioids_and_antidepressants()
    {
        var plan = Samples.Plan("v03-high-risk");

        Assert.Contains(plan.Interventions, i => i.Code == "psychologically_informed_physiotherapy" && i.Rationale.Contains("STarT Back high risk", StringComparison.Ordinal));
        Assert.Contains(plan.Excluded, e => e.Code == "opioids_for_chronic_pain" && e.Reason.StartsWith("not recommended by NICE-NG59", StringComparison.Ordinal));
        Assert.Contains(plan.Excluded, e => e.Code == "antidepressants" && e.Reason.StartsWith("not recommended by NICE-NG59", StringComparison.Ordinal));
        Assert.Equal(14, plan.FollowUpInDays);
    }

    [Fact]
    public void V8_fragility_fracture_within_two_weeks_is_not_referral_only()
    {
        var plan = Samples.Plan("v08-fragility-fracture");

        Assert.Equal(CarePlanStatus.PendingReview, plan.Status);
        Assert.Equal(Urgency.Within2Weeks, plan.Urgency);
        Assert.Equal(14, plan.FollowUpInDays);
    }

    [Fact]
    public void V9_without_start_back_answers_still_plans_self_management_from_the_rule_sets_advice()
    {
        var plan = Samples.Plan("v09-axial-spa");

        Assert.Contains(plan.Interventions, i => i.Code == "staying_active" && i.Rationale.Contains("STarT Back not completed", StringComparison.Ordinal));
        Assert.Equal(14, plan.FollowUpInDays);
    }

    [Fact]
    public void V10_cautions_about_the_benzodiazepine_and_gabapentinoid_already_taken()
    {
        var plan = Samples.Plan("v10-sedatives-sciatica");

        Assert.Contains(plan.Cautions, c => c.StartsWith("MEDICATION_BENZODIAZEPINE: Benzodiazepines", StringComparison.Ordinal) && c.Contains("not recommended by NICE-NG59", StringComparison.Ordinal));
        Assert.Contains(plan.Cautions, c => c.StartsWith("MEDICATION_GABAPENTINOID: Gabapentinoids", StringComparison.Ordinal) && c.Contains("not recommended by NICE-NG59", StringComparison.Ordinal));
        Assert.DoesNotContain(plan.Interventions, i => i.Code is "benzodiazepines_for_sciatica" or "gabapentinoids_for_sciatica" or "muscle_relaxants");
        Assert.Contains(plan.Excluded, e => e.Code == "cortisone_injection" && e.Reason.Contains("article", StringComparison.Ordinal));
    }

    [Fact]
    public void Notes_suggesting_a_not_recommended_intervention_exclude_it_with_the_guideline()
    {
        var submission = Samples.Submission("v01-lifting-strain");
        submission.ClinicalNotes = "Patient asks about acupuncture and a back brace.";

        var plan = Samples.Plan(submission);
        Assert.Contains(plan.Excluded, e => e.Code == "acupuncture" && e.Reason == "not recommended by NICE-NG59 (named in the clinician's notes)");
        Assert.Contains(plan.Excluded, e => e.Code == "lumbar_supports");
    }

    [Fact]
    public void Strong_opioid_in_chronic_pain_is_a_caution_naming_the_not_recommended_intervention()
    {
        var submission = Samples.Submission("v03-high-risk");
        submission.Presentation.DurationDays = 120;
        submission.CurrentMedications.Add(Medication.StrongOpioid);

        Assert.Contains(Samples.Plan(submission).Cautions, c => c.StartsWith("MEDICATION_STRONG_OPIOID: Opioids for chronic low back pain", StringComparison.Ordinal));
    }

    [Fact]
    public void Dehydration_cause_plans_hydration_and_posture_cause_plans_ergonomics()
    {
        var heat = Samples.Submission("v01-lifting-strain");
        heat.RiskFactors.Add(RiskFactor.Dehydration);
        heat.RiskFactors.Add(RiskFactor.HeavySweatingOrHeat);
        heat.RiskFactors.Add(RiskFactor.LowDietaryElectrolytes);
        Assert.Contains(Samples.Plan(heat).Interventions, i => i.Code == "hydration_electrolytes" && i.Rationale.Contains("Dehydration", StringComparison.OrdinalIgnoreCase));

        var desk = Samples.Submission("v01-lifting-strain");
        desk.RiskFactors.Clear();
        desk.Presentation.BeganAfterExertion = false;
        desk.RiskFactors.Add(RiskFactor.PoorPosture);
        desk.RiskFactors.Add(RiskFactor.ProlongedSitting);
        Assert.Contains(Samples.Plan(desk).Interventions, i => i.Code == "posture_ergonomics" && i.Phase == CarePhase.Prevention);
    }

    [Fact]
    public void Drafting_is_deterministic()
    {
        var submission = Samples.Submission("v10-sedatives-sciatica");
        Assert.Equal(Samples.Plan(submission), Samples.Plan(submission));
    }

    [Fact]
    public void An_override_to_emergency_redrafts_as_referral_only_with_the_levels_action()
    {
        var submission = Samples.Submission("v01-lifting-strain");
        var triage = Samples.Triage(submission);
        triage.Urgency = Urgency.Emergency;
        triage.Override = new TriageOverride { Urgency = Urgency.Emergency, ClinicianId = "dr-a", Reason = "looks septic" };

        var plan = CarePlanDrafter.Draft(submission, triage, Samples.Knowledge);
        Assert.Equal(CarePlanStatus.ReferralOnly, plan.Status);
        Assert.Empty(plan.Interventions);
        Assert.StartsWith("Call 999", plan.ReferralAction, StringComparison.Ordinal);
        Assert.Contains("looks septic", plan.ReferralAction, StringComparison.Ordinal);
    }
}
