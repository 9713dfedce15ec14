using SpasmPlatform.EventStore.Serialization;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.Bench.EventStore;

/// <summary>
/// The event every writer appends: an answer recorded during a clinical questionnaire (snake_case JSON through
/// <see cref="EventJson"/>, about 300 bytes). The read benchmark folds <see cref="Score"/>.
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
/// Makes realistic event data and metadata for one writer. Data is serialized per event (the caller's own
/// work in a real service), and one metadata object is shared by the events of one append, as a command
/// handler would do. Both the store's writers and the raw writers use this class, so the client-side work
/// before the database is the same for both.
/// </summary>
public sealed class PayloadFactory(int seed)
{
    public const string EventType = "assessment.answer_recorded";
    public const string StreamType = "assessment";
    public const int SchemaVersion = 1;

    private static readonly string[] Answers =
    [
        "not_at_all|Not at all",
        "several_days|Several days: little interest or pleasure in doing things",
        "more_than_half|More than half the days: trouble concentrating on things",
        "nearly_every_day|Nearly every day: feeling tired or having little energy",
    ];

    private readonly Random _random = new(seed);
    private readonly Guid _patient = Guid.NewGuid();
    private readonly string _actor = $"clinician:u-{seed:D6}";

    public string NewData(Guid assessmentId, long sequence)
    {
        var score = _random.Next(Answers.Length);
        var answer = Answers[score].Split('|');
        return EventJson.Serialize(new AnswerRecorded(
            assessmentId,
            _patient,
            "phq-9",
            $"phq9-q{(sequence % 9) + 1:D2}",
            score,
            answer[0],
            answer[1],
            DateTimeOffset.UtcNow,
            _actor,
            "tablet-intake"));
    }

    public EventMetadata NewMetadata() => new(
        CorrelationId: Guid.NewGuid().ToString("N"),
        CausationId: Guid.NewGuid().ToString("N"),
        Actor: _actor,
        TenantId: "tenant-0042",
        Headers: new Dictionary<string, string>
        {
            ["traceparent"] = $"00-{Guid.NewGuid():N}-{Guid.NewGuid().ToString("N")[..16]}-01",
            ["source"] = "assessment-api",
        });

    /// <summary>Sizes in bytes (UTF-8) of one sample event's data and metadata JSON, for the report.</summary>
    public static (int Data, int Metadata) SampleSizes()
    {
        var factory = new PayloadFactory(1);
        var data = factory.NewData(Guid.NewGuid(), 7);
        var metadata = EventJson.SerializeMetadata(factory.NewMetadata());
        return (System.Text.Encoding.UTF8.GetByteCount(data), System.Text.Encoding.UTF8.GetByteCount(metadata));
    }
}
