using SpasmPlatform.Assessment.Domain;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Common.V1;
using SpasmPlatform.EventStore.Streams;
using AssessmentMessage = SpasmPlatform.Assessment.V1.Assessment;
using TriageResult = SpasmPlatform.Assessment.V1.Triage;

namespace SpasmPlatform.Assessment.Tests;

/// <summary>
/// An assessment stream as the store would hand it back (versions from 1, one event per version), built from the
/// service's own events, so a state is always the real fold of a stream rather than a hand-made message.
/// </summary>
internal sealed class AssessmentStreamBuilder
{
    public const string AssessmentId = "0b8e7c1e-5d7a-8f4e-9a51-3c2d1e0f9a8b";
    public const string KnowledgeVersion = "2026.3.0";
    public const string RuleSetVersion = "1.4.0";

    private static readonly DateTimeOffset Start = new(2026, 12, 4, 9, 30, 0, TimeSpan.Zero);
    private readonly List<StoredEvent> _events = [];

    public static string StreamId => AssessmentStream.StreamId(AssessmentId);

    /// <summary>What every stream starts with: the submission and the engine's triage, appended together.</summary>
    public static AssessmentStreamBuilder Triaged(Urgency engineUrgency, string? sealedNotes = null)
    {
        var submission = new SubmitAssessmentRequest { RequestId = "req-1", ClinicId = "clinic-a", PatientRef = "patient-7", ClinicianId = "clinician-1", AgeYears = 41 };
        var triage = new TriageResult
        {
            Urgency = engineUrgency,
            EngineUrgency = engineUrgency,
            ActWithinMinutes = 20160,
            Disposition = "engine's disposition",
            RuleSetVersion = RuleSetVersion,
            KnowledgeVersion = KnowledgeVersion,
        };
        return new AssessmentStreamBuilder()
            .Then(AssessmentSubmitted.EventType, new AssessmentSubmitted(AssessmentId, "clinic-a", "req-1", Start, ProtoJson.ToElement(submission), sealedNotes))
            .Then(TriageDecided.EventType, new TriageDecided(AssessmentId, engineUrgency, RuleSetVersion, KnowledgeVersion, "sha256:content", ProtoJson.ToElement(triage)));
    }

    public static AssessmentStreamBuilder SubmittedOnly()
    {
        var submission = new SubmitAssessmentRequest { RequestId = "req-1", ClinicId = "clinic-a", PatientRef = "patient-7", ClinicianId = "clinician-1" };
        return new AssessmentStreamBuilder()
            .Then(AssessmentSubmitted.EventType, new AssessmentSubmitted(AssessmentId, "clinic-a", "req-1", Start, ProtoJson.ToElement(submission)));
    }

    public long Version => _events.Count;

    public AssessmentStreamBuilder Then(string eventType, object data)
    {
        var version = _events.Count + 1;
        _events.Add(new StoredEvent(
            100 + version, StreamId, version, Guid.CreateVersion7(), eventType, data, new EventMetadata(Actor: "tests"), Start.AddMinutes(version)));
        return this;
    }

    public AssessmentStreamBuilder Then(TriageOverridden overridden) => Then(TriageOverridden.EventType, overridden);

    public AssessmentMessage? State => AssessmentState.Fold(_events);
}
