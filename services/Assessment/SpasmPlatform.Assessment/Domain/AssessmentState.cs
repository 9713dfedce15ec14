using Google.Protobuf.WellKnownTypes;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.Assessment.Domain;

/// <summary>
/// How each event changes an assessment: the one fold used by the read model (and by anything that rebuilds an
/// assessment from its stream), so the stored state and a replay can never disagree.
/// </summary>
public static class AssessmentState
{
    /// <summary>The assessment a stream holds; null for a stream that does not exist or has not started with a submission.</summary>
    public static AssessmentMessage? Fold(IEnumerable<StoredEvent> events) => events.Aggregate((AssessmentMessage?)null, Evolve);

    /// <summary>The state after <paramref name="stored"/>; null while the stream has not started with a submission.</summary>
    public static AssessmentMessage? Evolve(AssessmentMessage? state, StoredEvent stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        switch (stored.EventType)
        {
            case AssessmentSubmitted.EventType:
            {
                var submitted = stored.Data<AssessmentSubmitted>();
                var submission = ProtoJson.Parse<SubmitAssessmentRequest>(submitted.Submission);
                return new AssessmentMessage
                {
                    AssessmentId = submitted.AssessmentId,
                    ClinicId = submission.ClinicId,
                    PatientRef = submission.PatientRef,
                    ClinicianId = submission.ClinicianId,
                    SubmittedAt = Timestamp.FromDateTimeOffset(submitted.SubmittedAt),
                    Submission = submission,
                    Version = stored.StreamVersion,
                };
            }

            case TriageDecided.EventType when state is not null:
            {
                var next = state.Clone();
                next.Triage = ProtoJson.Parse<V1.Triage>(stored.Data<TriageDecided>().Triage);
                next.Version = stored.StreamVersion;
                return next;
            }

            case TriageOverridden.EventType when state is not null:
            {
                var overridden = stored.Data<TriageOverridden>();
                var next = state.Clone();
                next.Triage ??= new V1.Triage();
                next.Triage.Urgency = overridden.Urgency;
                next.Triage.ActWithinMinutes = overridden.ActWithinMinutes;
                if (overridden.Disposition.Length > 0)
                {
                    next.Triage.Disposition = overridden.Disposition;
                }

                next.Triage.Override = new TriageOverride
                {
                    Urgency = overridden.Urgency,
                    ClinicianId = overridden.ClinicianId,
                    Reason = overridden.Reason,
                    At = Timestamp.FromDateTimeOffset(overridden.At),
                };
                next.Version = stored.StreamVersion;
                return next;
            }

            case CarePlanLinked.EventType when state is not null:
            {
                var next = state.Clone();
                next.CarePlanId = stored.Data<CarePlanLinked>().CarePlanId;
                next.Version = stored.StreamVersion;
                return next;
            }

            default:
                // Unknown (newer) event types still move the version, so expected_version stays truthful.
                if (state is null)
                {
                    return null;
                }

                var moved = state.Clone();
                moved.Version = stored.StreamVersion;
                return moved;
        }
    }
}
