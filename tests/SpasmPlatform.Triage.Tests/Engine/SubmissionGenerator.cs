using Google.Protobuf.Reflection;
using SpasmPlatform.Assessment.V1;

namespace SpasmPlatform.Triage.Tests.Engine;

/// <summary>Random but valid submissions from a fixed seed, so every failure is reproducible by its seed.</summary>
internal static class SubmissionGenerator
{
    public static IEnumerable<(int Seed, SubmitAssessmentRequest Submission)> Many(int count, int firstSeed = 1) =>
        Enumerable.Range(firstSeed, count).Select(seed => (seed, Generate(seed)));

    public static SubmitAssessmentRequest Generate(int seed)
    {
        var random = new Random(seed);
        var submission = new SubmitAssessmentRequest
        {
            RequestId = $"req-{seed}",
            ClinicId = "clinic-gen",
            PatientRef = $"p-{seed}",
            ClinicianId = "clin-gen",
            AgeYears = random.Next(16, 121),
            Sex = Pick<Sex>(random),
            Presentation = new Presentation
            {
                Region = Pick<BodyRegion>(random),
                Onset = Pick<Onset>(random),
                DurationDays = random.Next(0, 400),
                PainScore = random.Next(0, 11),
                LegPain = Pick<LegPain>(random),
            },
            RedFlags = new RedFlags(),
            Inflammatory = new InflammatoryFeatures(),
        };
        SetBools(submission.Presentation, random, 0.3);
        SetBools(submission.RedFlags, random, 0.06);
        SetBools(submission.Inflammatory, random, 0.2);
        if (random.NextDouble() < 0.7)
        {
            submission.StartBack = new StartBackAnswers { Bothersomeness = Pick<Bothersomeness>(random) };
            SetBools(submission.StartBack, random, 0.4);
        }

        if (random.NextDouble() < 0.5)
        {
            submission.Vitals = new Vitals();
            if (random.NextDouble() < 0.7)
            {
                submission.Vitals.TemperatureCelsius = Math.Round(35.5 + (random.NextDouble() * 4), 1);
            }

            if (random.NextDouble() < 0.7)
            {
                submission.Vitals.SystolicBpMmhg = random.Next(75, 180);
            }
        }

        submission.RiskFactors.Add(Some<RiskFactor>(random, 0.15));
        submission.CurrentMedications.Add(Some<Medication>(random, 0.1));
        submission.Comorbidities.Add(Some<Comorbidity>(random, 0.1));
        return submission;
    }

    /// <summary>The bool fields of a message, by name, e.g. every red flag.</summary>
    public static IReadOnlyList<FieldDescriptor> BoolFields(MessageDescriptor descriptor) =>
        descriptor.Fields.InFieldNumberOrder().Where(f => f.FieldType == FieldType.Bool).ToList();

    private static void SetBools(Google.Protobuf.IMessage message, Random random, double probability)
    {
        foreach (var field in BoolFields(message.Descriptor))
        {
            field.Accessor.SetValue(message, random.NextDouble() < probability);
        }
    }

    private static T Pick<T>(Random random)
        where T : struct, Enum
    {
        var values = Enum.GetValues<T>().Where(v => Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture) != 0).ToArray();
        return values[random.Next(values.Length)];
    }

    private static IEnumerable<T> Some<T>(Random random, double probability)
        where T : struct, Enum =>
        Enum.GetValues<T>().Where(v => Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture) != 0 && random.NextDouble() < probability).ToList();
}
