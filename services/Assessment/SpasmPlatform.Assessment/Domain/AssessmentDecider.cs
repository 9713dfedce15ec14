using SpasmPlatform.Common.V1;
using SpasmPlatform.EventStore.Streams;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.Assessment.Domain;

/// <summary>
/// The clinician's decisions on an assessment as pure functions: from its state (<see cref="AssessmentState"/>, null
/// for a stream that does not exist) and a command to the event that records it, or a refusal. The shape of a
/// command (ids, an urgency that is specified, a reason that is not blank, lengths) is the request validator's to
/// refuse with every field at once; here it is a precondition.
/// </summary>
public static class AssessmentDecider
{
    /// <summary>What a level missing from the pinned rule set records: no SLA (as the rule set's own -1), no wording.</summary>
    public const int NoSla = -1;

    /// <summary>
    /// Any triaged assessment can be overridden, again and again (each override replaces the urgency the previous one
    /// set), to any urgency: the clinician who examined the patient decides, and the engine's own urgency stays on
    /// record. Refused: an unknown assessment (<see cref="AssessmentNotFoundException"/>) and a version other than the
    /// stream's (<see cref="ConcurrencyException"/>: the clinician re-reads what changed). The SLA and wording of the
    /// new urgency come from <paramref name="pinnedUrgencyLevels"/>, the levels of the rule set the triage was decided
    /// with, not today's.
    /// </summary>
    public static TriageOverridden Override(AssessmentMessage? state, OverrideTriage command, IEnumerable<UrgencyLevel> pinnedUrgencyLevels)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(pinnedUrgencyLevels);
        if (command.Urgency == Urgency.Unspecified)
        {
            throw new ArgumentException("An override names the urgency it sets.", nameof(command));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(command.Reason);
        if (state is null)
        {
            throw new AssessmentNotFoundException(command.AssessmentId);
        }

        if (state.Version != command.ExpectedVersion)
        {
            var streamId = AssessmentStream.StreamId(command.AssessmentId);
            throw new ConcurrencyException(streamId, ExpectedVersion.Exactly(command.ExpectedVersion), $"{streamId} is at version {state.Version}, not {command.ExpectedVersion}.");
        }

        // Submission and triage are appended together, so a stream without a triage is a broken stream, not a request to refuse.
        var triage = state.Triage ?? throw new InvalidOperationException($"Assessment {command.AssessmentId} has no triage to override.");
        var level = pinnedUrgencyLevels.FirstOrDefault(l => l.Urgency == command.Urgency);
        return new TriageOverridden(
            command.AssessmentId, command.Urgency, triage.Urgency, level?.ActWithinMinutes ?? NoSla, level?.Disposition ?? string.Empty,
            command.ClinicianId, command.Reason, command.At);
    }
}
