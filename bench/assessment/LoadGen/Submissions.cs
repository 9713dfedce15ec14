using Google.Protobuf;
using SpasmPlatform.Assessment.V1;

namespace SpasmPlatform.Bench.Load;

/// <summary>
/// Realistic, varied submissions: the sample vignettes as templates (mostly the common, benign ones, a few red
/// flags), each with its own request id and patient and its age, duration and pain jittered.
/// </summary>
internal sealed class Submissions(IReadOnlyList<SubmitAssessmentRequest> templates, string runId)
{
    private long _next;

    public static Submissions Load(string samplesDirectory, string runId)
    {
        var templates = Directory.EnumerateFiles(samplesDirectory, "*.json")
            .Order(StringComparer.Ordinal)
            .Select(f => JsonParser.Default.Parse<SubmitAssessmentRequest>(File.ReadAllText(f)))
            .ToList();
        // Clinics see mostly simple mechanical back pain: weight the self-care and routine vignettes up.
        var weighted = templates.Where(t => t.RedFlags is null || t.RedFlags.CalculateSize() == 0).SelectMany(t => Enumerable.Repeat(t, 4)).Concat(templates).ToList();
        return new Submissions(weighted, runId);
    }

    /// <summary>How many submissions make one pass over the weighted templates: that many in a row have the load's mix.</summary>
    public int Cycle => templates.Count;

    public SubmitAssessmentRequest Next()
    {
        var n = Interlocked.Increment(ref _next);
        var random = new Random(unchecked((int)n * 7919));
        var submission = templates[(int)(n % templates.Count)].Clone();
        submission.RequestId = $"{runId}-{n}";
        submission.ClinicId = $"bench-clinic-{n % 8}";
        submission.PatientRef = $"bench-patient-{n}";
        submission.AgeYears = Math.Clamp(submission.AgeYears + random.Next(-5, 6), 16, 120);
        if (submission.Presentation is { HasAgeAtFirstOnsetYears: true } presentation && presentation.AgeAtFirstOnsetYears > submission.AgeYears)
        {
            // A first episode cannot come after today's age: the service would refuse the varied submission.
            presentation.AgeAtFirstOnsetYears = submission.AgeYears;
        }
        submission.Presentation.DurationDays = Math.Max(0, submission.Presentation.DurationDays + random.Next(-2, 3));
        submission.Presentation.PainScore = Math.Clamp(submission.Presentation.PainScore + random.Next(-2, 3), 0, 10);
        return submission;
    }
}
