using Google.Protobuf;
using Google.Protobuf.Reflection;
using SpasmPlatform.Assessment.V1;

namespace SpasmPlatform.IntegrationTests.Audit;

/// <summary>
/// Valid submissions spread over the engine's inputs, reproducible from their seed. Flags are set through the
/// descriptors, so every bool the contract gains is exercised without editing this.
/// </summary>
internal static class GeneratedSubmissions
{
    public static SubmitAssessmentRequest Create(int seed, string clinicId)
    {
        var random = new Random(seed);
        var submission = new SubmitAssessmentRequest
        {
            RequestId = $"audit-gen-{seed}-{Guid.NewGuid():N}",
            ClinicId = clinicId,
            PatientRef = $"gen-patient-{seed}",
            ClinicianId = "gen-clinician",
            AgeYears = random.Next(16, 121),
            Sex = (Sex)random.Next(0, 4),
            Presentation = new Presentation
            {
                Region = (BodyRegion)random.Next(1, 5),
                Onset = (Onset)random.Next(1, 3),
                DurationDays = random.Next(0, 500),
                PainScore = random.Next(0, 11),
                LegPain = (LegPain)random.Next(1, 5),
            },
            RedFlags = new RedFlags(),
            Inflammatory = new InflammatoryFeatures(),
            Vitals = new Vitals(),
        };
        SetFlags(submission.Presentation, random, 0.35);
        // Rare, as in real intake: most generated people have no red flag, some have one or two.
        SetFlags(submission.RedFlags, random, 0.06);
        SetFlags(submission.Inflammatory, random, 0.3);
        if (random.NextDouble() < 0.5)
        {
            submission.Vitals.TemperatureCelsius = Math.Round(35.5 + (random.NextDouble() * 4.5), 1);
        }

        if (random.NextDouble() < 0.5)
        {
            submission.Vitals.SystolicBpMmhg = random.Next(75, 190);
            submission.Vitals.HeartRateBpm = random.Next(45, 140);
        }

        submission.RiskFactors.Add(Some<RiskFactor>(random, 0.15));
        submission.CurrentMedications.Add(Some<Medication>(random, 0.12));
        submission.Comorbidities.Add(Some<Comorbidity>(random, 0.1));
        if (random.NextDouble() < 0.75)
        {
            submission.StartBack = new StartBackAnswers { Bothersomeness = (Bothersomeness)random.Next(1, 6) };
            SetFlags(submission.StartBack, random, 0.45);
        }

        return submission;
    }

    private static void SetFlags(IMessage message, Random random, double probability)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder().Where(f => f.FieldType == FieldType.Bool))
        {
            field.Accessor.SetValue(message, random.NextDouble() < probability);
        }
    }

    private static IEnumerable<T> Some<T>(Random random, double probability)
        where T : struct, Enum =>
        Enum.GetValues<T>().Where(v => Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture) != 0 && random.NextDouble() < probability).ToList();
}
