using SpasmPlatform.Assessment.V1;

namespace SpasmPlatform.Triage.Tests.Engine;

/// <summary>Submissions for the vignettes of ../shared/reference/clinical-guidance.md section 6 (and extra cause cases).</summary>
internal static class Vignette
{
    public static SubmitAssessmentRequest Base(int age, int durationDays, LegPain legPain = LegPain.None) => new()
    {
        RequestId = "req-1",
        ClinicId = "clinic-1",
        PatientRef = "p-1",
        ClinicianId = "clin-1",
        AgeYears = age,
        Presentation = new Presentation
        {
            Region = BodyRegion.LowerBack,
            Onset = Onset.Gradual,
            DurationDays = durationDays,
            PainScore = 5,
            LegPain = legPain,
        },
        RedFlags = new RedFlags(),
    };

    /// <summary>V1: 42 y, lifted a box 3 days ago, lumbar spasm NPRS 7, no leg symptoms, STarT Back total 2 / psychosocial 1.</summary>
    public static SubmitAssessmentRequest V1()
    {
        var s = Base(42, 3);
        s.Presentation.Onset = Onset.Sudden;
        s.Presentation.PainScore = 7;
        s.Presentation.BeganAfterExertion = true;
        s.Presentation.MovementSeverelyLimited = true;
        s.RiskFactors.Add(RiskFactor.HeavyOrRepeatedLifting);
        s.StartBack = new StartBackAnswers { DressedMoreSlowly = true, WorryingThoughts = true, Bothersomeness = Bothersomeness.Moderately };
        return s;
    }

    /// <summary>V2: 35 y, 4 weeks, leg pain above the knee; items 1, 3, 4, 5; bothersomeness moderately.</summary>
    public static SubmitAssessmentRequest V2()
    {
        var s = Base(35, 28, LegPain.OneLegAboveKnee);
        s.StartBack = new StartBackAnswers { LegPain = true, WalkedShortDistancesOnly = true, DressedMoreSlowly = true, NotSafeToBeActive = true, Bothersomeness = Bothersomeness.Moderately };
        return s;
    }

    /// <summary>V3: 50 y, 8 weeks; items 3, 5, 6, 7, 8 and bothersomeness extremely.</summary>
    public static SubmitAssessmentRequest V3()
    {
        var s = Base(50, 56);
        s.StartBack = new StartBackAnswers
        {
            WalkedShortDistancesOnly = true, NotSafeToBeActive = true, WorryingThoughts = true, TerribleNeverBetter = true,
            NotEnjoyingThings = true, Bothersomeness = Bothersomeness.Extremely,
        };
        return s;
    }

    /// <summary>V4: 38 y, sciatica 5 days, saddle numbness, new difficulty passing urine, pain in both legs.</summary>
    public static SubmitAssessmentRequest V4()
    {
        var s = Base(38, 5, LegPain.BothLegs);
        s.RedFlags.SaddleAnaesthesia = true;
        s.RedFlags.NewBladderDysfunction = true;
        return s;
    }

    /// <summary>V5: 66 y, prostate cancer, 3 weeks of progressive thoracic night pain, new leg weakness and unsteady gait.</summary>
    public static SubmitAssessmentRequest V5()
    {
        var s = V5b();
        s.RedFlags.ProgressiveLegWeakness = true;
        s.RedFlags.GaitDisturbance = true;
        return s;
    }

    /// <summary>V5b: as V5 without neurological symptoms.</summary>
    public static SubmitAssessmentRequest V5b()
    {
        var s = Base(66, 21);
        s.Sex = Sex.Male;
        s.Presentation.Region = BodyRegion.MidBack;
        s.RedFlags.HistoryOfCancer = true;
        s.RedFlags.ConstantOrNightPain = true;
        return s;
    }

    /// <summary>V6: 45 y, injects drugs, constant pain, 38.6 °C, rigors.</summary>
    public static SubmitAssessmentRequest V6()
    {
        var s = Base(45, 7);
        s.RedFlags.IvDrugUse = true;
        s.RedFlags.FeverOrRigors = true;
        s.RedFlags.ConstantOrNightPain = true;
        s.Vitals = new Vitals { TemperatureCelsius = 38.6 };
        return s;
    }

    /// <summary>V7: 72 y man, sudden severe back/flank pain, faint, BP 85/50.</summary>
    public static SubmitAssessmentRequest V7()
    {
        var s = Base(72, 0);
        s.Sex = Sex.Male;
        s.Presentation.Onset = Onset.Sudden;
        s.Presentation.PainScore = 9;
        s.Comorbidities.Add(Comorbidity.CardiovascularDisease);
        s.Vitals = new Vitals { SystolicBpMmhg = 85, HeartRateBpm = 110 };
        return s;
    }

    /// <summary>V8: 78 y woman on long-term prednisolone, sudden thoracolumbar pain after a minor fall, eased lying flat.</summary>
    public static SubmitAssessmentRequest V8()
    {
        var s = Base(78, 2);
        s.Sex = Sex.Female;
        s.Presentation.Region = BodyRegion.MidBack;
        s.Presentation.Onset = Onset.Sudden;
        s.Presentation.EasedByRestOrPositionChange = true;
        s.RedFlags.MinorTraumaWithBoneFragility = true;
        s.CurrentMedications.Add(Medication.OralCorticosteroid);
        return s;
    }

    /// <summary>V9: 29 y, 6 months, wakes in the second half of the night, better with exercise and NSAIDs, buttock pain, psoriasis.</summary>
    public static SubmitAssessmentRequest V9()
    {
        var s = Base(29, 180);
        s.Inflammatory = new InflammatoryFeatures
        {
            OnsetBeforeAge35 = true, WakesSecondHalfOfNight = true, ButtockPain = true, ImprovesWithMovement = true,
            ImprovesWithin48HOfNsaid = true, HistoryOfPsoriasis = true,
        };
        return s;
    }

    /// <summary>V10: 40 y back spasm with sciatica; taking diazepam and pregabalin; STarT Back low.</summary>
    public static SubmitAssessmentRequest V10()
    {
        var s = Base(40, 5, LegPain.OneLegBelowKnee);
        s.CurrentMedications.Add(Medication.Benzodiazepine);
        s.CurrentMedications.Add(Medication.Gabapentinoid);
        s.StartBack = new StartBackAnswers { LegPain = true, Bothersomeness = Bothersomeness.Moderately };
        return s;
    }

    /// <summary>V11: 60 y, first episode, unexplained weight loss, no improvement after 1 month.</summary>
    public static SubmitAssessmentRequest V11()
    {
        var s = Base(60, 35);
        s.Presentation.NotImprovingAfter4Weeks = true;
        s.RedFlags.UnexplainedWeightLoss = true;
        return s;
    }
}
