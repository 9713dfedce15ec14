using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.Bench.EventStore;

/// <summary>
/// The event every writer appends: an answer recorded during a clinical questionnaire (about 330 bytes of snake_case
/// JSON once stored). The read benchmark folds <see cref="Score"/>.
/// </summary>
public sealed record AnswerRecorded(
    Guid AssessmentId,
    Guid PatientId,
    string Questionnaire,
    string QuestionId,
    int Score,
    string AnswerCode,
    string AnswerText,
    DateTimeOffset AnsweredAt,
    string RecordedBy,
    string Source);

/// <summary>
/// Makes event data and metadata for one writer. One metadata object is shared by the events of one append, as a
/// command handler would do. The store's writers and the raw writers both use this class, so the client-side work
/// before the database starts out the same.
/// </summary>
public sealed class PayloadFactory(int seed)
{
    /// <summary>The name the type is registered under (Marten's mt_events.type).</summary>
    public const string EventType = "assessment.answer_recorded";
    public const string StreamType = "assessment";
    public const string Tenant = "tenant-0042";

    private static readonly (string Code, string Text)[] Answers =
    [
        ("not_at_all", "Not at all"),
        ("several_days", "Several days: little interest or pleasure in doing things"),
        ("more_than_half", "More than half the days: trouble concentrating on things"),
        ("nearly_every_day", "Nearly every day: feeling tired or having little energy"),
    ];

    private readonly Random _random = new(seed);
    private readonly Guid _patient = Guid.NewGuid();
    private readonly string _actor = $"clinician:u-{seed:D6}";

    public AnswerRecorded NewData(Guid assessmentId, long sequence)
    {
        var score = _random.Next(Answers.Length);
        return new AnswerRecorded(
            assessmentId, _patient, "phq-9", $"phq9-q{(sequence % 9) + 1:D2}", score, Answers[score].Code, Answers[score].Text,
            DateTimeOffset.UtcNow, _actor, "tablet-intake");
    }

    public EventMetadata NewMetadata() => new(
        CorrelationId: Guid.NewGuid().ToString("N"),
        CausationId: Guid.NewGuid().ToString("N"),
        Actor: _actor,
        TenantId: Tenant,
        Headers: new Dictionary<string, string>
        {
            ["traceparent"] = $"00-{Guid.NewGuid():N}-{Guid.NewGuid().ToString("N")[..16]}-01",
            ["source"] = "assessment-api",
        });
}
