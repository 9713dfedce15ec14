using SpasmPlatform.Assessment.V1;

namespace SpasmPlatform.IntegrationTests.Assessment;

/// <summary>Valid submissions for the service tests, each a clinical vignette of the bundled rule set (Content/VIGNETTES.md).</summary>
internal static class Submissions
{
    /// <summary>V1: acute lifting strain, low STarT Back risk: self-care.</summary>
    public static SubmitAssessmentRequest LiftingStrain(string clinicId, string requestId) => new()
    {
        RequestId = requestId,
        ClinicId = clinicId,
        PatientRef = $"patient-{requestId}",
        ClinicianId = "clinician-1",
        AgeYears = 42,
        Sex = Sex.Female,
        Presentation = new Presentation
        {
            Region = BodyRegion.LowerBack,
            Onset = Onset.Sudden,
            DurationDays = 3,
            PainScore = 7,
            LegPain = LegPain.None,
            BeganAfterExertion = true,
            MovementSeverelyLimited = true,
        },
        RiskFactors = { RiskFactor.HeavyOrRepeatedLifting },
        StartBack = new StartBackAnswers { DressedMoreSlowly = true, WorryingThoughts = true, Bothersomeness = Bothersomeness.Moderately },
    };

    /// <summary>V4: cauda equina syndrome: emergency.</summary>
    public static SubmitAssessmentRequest CaudaEquina(string clinicId, string requestId)
    {
        var request = LiftingStrain(clinicId, requestId);
        request.AgeYears = 38;
        request.Presentation = new Presentation
        {
            Region = BodyRegion.LowerBack,
            Onset = Onset.Gradual,
            DurationDays = 5,
            PainScore = 6,
            LegPain = LegPain.BothLegs,
        };
        request.RiskFactors.Clear();
        request.StartBack = null;
        request.RedFlags = new RedFlags { SaddleAnaesthesia = true, NewBladderDysfunction = true };
        return request;
    }

    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}
