using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Common.V1;

namespace SpasmPlatform.Triage.Tests.Engine;

/// <summary>The guidance vignettes (clinical-guidance.md section 6) through the engine with the shipped rule set.</summary>
public sealed class VignetteTests
{
    private static SpasmPlatform.Assessment.V1.Triage Decide(SubmitAssessmentRequest submission) => ShippedKnowledge.Engine.Decide(submission);

    [Fact]
    public void V1_acute_lifting_strain_with_low_risk_is_self_care_with_muscle_strain_first()
    {
        var triage = Decide(Vignette.V1());

        Assert.Equal(Urgency.SelfCare, triage.Urgency);
        Assert.Empty(triage.SuspectedConditions);
        Assert.Equal(StartBackRisk.Low, triage.StartBack.Risk);
        Assert.Equal((2, 1), (triage.StartBack.TotalScore, triage.StartBack.PsychosocialScore));
        Assert.Equal("muscle_strain", triage.LikelyCauses[0].Code);
        Assert.Contains("presentation.began_after_exertion", triage.LikelyCauses[0].Findings);
        Assert.Contains(triage.SafetyNetAdvice, a => a.Contains("bladder", StringComparison.OrdinalIgnoreCase) || a.Contains("saddle", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void V2_medium_risk_is_routine_physiotherapy()
    {
        var triage = Decide(Vignette.V2());

        Assert.Equal(StartBackRisk.Medium, triage.StartBack.Risk);
        Assert.Equal((4, 1), (triage.StartBack.TotalScore, triage.StartBack.PsychosocialScore));
        Assert.Equal(Urgency.Routine, triage.Urgency);
        Assert.Empty(triage.SuspectedConditions);
    }

    [Fact]
    public void V3_high_risk_is_routine_psychologically_informed_physiotherapy()
    {
        var triage = Decide(Vignette.V3());

        Assert.Equal(StartBackRisk.High, triage.StartBack.Risk);
        Assert.Equal((6, 5), (triage.StartBack.TotalScore, triage.StartBack.PsychosocialScore));
        Assert.Equal(Urgency.Routine, triage.Urgency);
        Assert.Contains("psycholog", triage.Disposition, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void V4_cauda_equina_is_an_emergency_now_with_its_findings()
    {
        var triage = Decide(Vignette.V4());

        Assert.Equal(Urgency.Emergency, triage.Urgency);
        Assert.Equal(0, triage.ActWithinMinutes);
        var ces = triage.SuspectedConditions[0];
        Assert.Equal("cauda_equina_syndrome", ces.Code);
        Assert.Equal(["red_flags.saddle_anaesthesia", "red_flags.new_bladder_dysfunction", "presentation.leg_pain"], ces.Findings);
        Assert.Contains(ces.Sources, s => s.SourceId == "BASS-CES-2018" && s.Title.Length > 0);
    }

    [Fact]
    public void V5_known_cancer_with_new_neurology_is_an_emergency_for_cord_compression()
    {
        var triage = Decide(Vignette.V5());

        Assert.Equal(Urgency.Emergency, triage.Urgency);
        Assert.Equal("metastatic_spinal_cord_compression", triage.SuspectedConditions[0].Code);
        Assert.Equal(Urgency.Emergency, triage.SuspectedConditions[0].Urgency);
        Assert.Equal(triage.SuspectedConditions.OrderBy(c => c.Urgency).Select(c => c.Code), triage.SuspectedConditions.Select(c => c.Code));
    }

    [Fact]
    public void V5b_known_cancer_with_spinal_pain_and_no_neurology_is_within_24_hours()
    {
        var triage = Decide(Vignette.V5b());

        Assert.Equal(Urgency.Within24Hours, triage.Urgency);
        Assert.Equal(1440, triage.ActWithinMinutes);
        Assert.Equal("metastatic_spinal_cord_compression", triage.SuspectedConditions[0].Code);
    }

    [Fact]
    public void V6_fever_in_a_person_who_injects_drugs_is_same_day_spinal_infection()
    {
        var triage = Decide(Vignette.V6());

        Assert.Equal(Urgency.SameDay, triage.Urgency);
        var infection = Assert.Single(triage.SuspectedConditions);
        Assert.Equal("spinal_infection", infection.Code);
        Assert.Contains("vitals.temperature_celsius", infection.Findings);
        Assert.Contains("red_flags.iv_drug_use", infection.Findings);
    }

    [Fact]
    public void V7_collapse_with_hypotension_is_an_aaa_emergency_and_never_a_spasm()
    {
        var triage = Decide(Vignette.V7());

        Assert.Equal(Urgency.Emergency, triage.Urgency);
        Assert.Equal("abdominal_aortic_aneurysm", triage.SuspectedConditions[0].Code);
        Assert.Contains("vitals.systolic_bp_mmhg", triage.SuspectedConditions[0].Findings);
        Assert.DoesNotContain(triage.LikelyCauses, c => c.Code == "muscle_strain");
    }

    [Fact]
    public void V8_fragility_fracture_without_neurology_is_within_2_weeks_not_an_emergency()
    {
        var triage = Decide(Vignette.V8());

        Assert.Equal(Urgency.Within2Weeks, triage.Urgency);
        Assert.Equal("vertebral_fracture", Assert.Single(triage.SuspectedConditions).Code);
        Assert.Equal(20160, triage.ActWithinMinutes);
    }

    [Fact]
    public void V9_inflammatory_back_pain_meeting_ng65_is_a_routine_rheumatology_referral()
    {
        var triage = Decide(Vignette.V9());

        Assert.Equal(Urgency.Routine, triage.Urgency);
        var spa = Assert.Single(triage.SuspectedConditions);
        Assert.Equal("axial_spondyloarthritis", spa.Code);
        Assert.Equal(6, spa.Findings.Count(f => f.StartsWith("inflammatory.", StringComparison.Ordinal)));
    }

    [Fact]
    public void V10_sedatives_for_sciatica_stay_self_care_with_safety_advice_and_nerve_root_cause()
    {
        var triage = Decide(Vignette.V10());

        Assert.Equal(Urgency.SelfCare, triage.Urgency);
        Assert.Equal("nerve_root_compression", triage.LikelyCauses[0].Code);
        Assert.Contains(triage.DecisionSteps, s => s.RuleId == "sn_sedative_medicines");
    }

    [Fact]
    public void V11_weight_loss_and_no_improvement_at_60_is_within_2_weeks_for_malignancy()
    {
        var triage = Decide(Vignette.V11());

        Assert.Equal(Urgency.Within2Weeks, triage.Urgency);
        Assert.Equal("spinal_malignancy", Assert.Single(triage.SuspectedConditions).Code);
    }

    [Fact]
    public void Missing_start_back_answers_are_reported_and_never_lower_urgency_below_routine()
    {
        var submission = Vignette.V1();
        submission.StartBack = null;

        var triage = Decide(submission);

        Assert.Equal(StartBackRisk.NotAssessed, triage.StartBack.Risk);
        Assert.Equal(Urgency.Routine, triage.Urgency);
        Assert.Contains(triage.DecisionSteps, s => s.RuleId == "start_back_9_item" && s.Outcome.Contains("not assessed", StringComparison.Ordinal));
    }

    [Fact]
    public void Leg_pain_beyond_6_weeks_raises_a_low_risk_patient_to_a_routine_referral()
    {
        var submission = Vignette.V10();
        submission.Presentation.DurationDays = 50;

        var triage = Decide(submission);

        Assert.Equal(StartBackRisk.Low, triage.StartBack.Risk);
        Assert.Equal(Urgency.Routine, triage.Urgency);
        Assert.Contains(triage.DecisionSteps, s => s.RuleId == "rr_radicular_pain_6_weeks");
    }

    [Fact]
    public void Every_triage_pins_its_versions_and_explains_each_step_with_sources()
    {
        foreach (var submission in new[] { Vignette.V1(), Vignette.V4(), Vignette.V9() })
        {
            var triage = Decide(submission);
            Assert.Equal(ShippedKnowledge.Knowledge.RuleSet.Version, triage.RuleSetVersion);
            Assert.Equal(ShippedKnowledge.Knowledge.Manifest.Version, triage.KnowledgeVersion);
            Assert.Equal(triage.Urgency, triage.EngineUrgency);
            Assert.NotEmpty(triage.Disposition);
            Assert.Equal(Enumerable.Range(1, triage.DecisionSteps.Count), triage.DecisionSteps.Select(s => s.Order));
            Assert.All(triage.DecisionSteps, s => Assert.NotEmpty(s.Sources));
            Assert.All(triage.SuspectedConditions, c => Assert.NotEmpty(c.Name));
        }
    }
}
