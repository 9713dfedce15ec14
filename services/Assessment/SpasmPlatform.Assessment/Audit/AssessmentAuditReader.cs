using SpasmPlatform.Contracts.Calling;
using SpasmPlatform.Assessment.Domain;
using SpasmPlatform.Assessment.Infrastructure;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Audit;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.EventStore.Streams;
using SpasmPlatform.Triage.Engine;
using TriageResult = SpasmPlatform.Assessment.V1.Triage;

namespace SpasmPlatform.Assessment.Audit;

/// <summary>
/// Answers audit questions from an assessment's own stream, never from the read model: what an auditor sees is what
/// the hash chain covers. Only reads.
/// </summary>
internal sealed class AssessmentAuditReader(AuditStore audit, KnowledgeCatalog knowledge, AssessmentNotes notes)
{
    // A clinician's override is not the engine's decision; replay compares what the engine decided.
    private static readonly HashSet<string> OverrideFields = new(StringComparer.Ordinal) { "override" };

    public async Task<DecisionTrace> TraceAsync(string assessmentId, CancellationToken cancellationToken)
    {
        var chain = await ReadAsync(assessmentId, cancellationToken);
        var trace = new DecisionTrace { AssessmentId = assessmentId };
        AssessmentMessage? state = null;
        trace.Events.Add(await audit.ToHistoryAsync(chain, cancellationToken));
        foreach (var chained in chain)
        {
            var stored = chained.Event;
            state = AssessmentState.Evolve(state, stored);
            switch (stored.EventType)
            {
                case TriageDecided.EventType:
                    var decided = stored.Data<TriageDecided>();
                    trace.Triage = ProtoJson.Parse<TriageResult>(decided.Triage);
                    trace.RuleSetVersion = decided.RuleSetVersion;
                    trace.KnowledgeVersion = decided.KnowledgeVersion;
                    trace.KnowledgeContentHash = decided.KnowledgeContentHash;
                    break;
                case TriageOverridden.EventType when state?.Triage?.Override is { } applied:
                    trace.Overrides.Add(applied.Clone());
                    break;
            }
        }

        if (state is not null)
        {
            // The timeline already opened the submission's notes; the same reading serves the submission.
            var submitted = trace.Events.FirstOrDefault(e => e.EventType == AssessmentSubmitted.EventType);
            if (submitted is not null && (submitted.ClinicalNotes.Length > 0 || submitted.ClinicalNotesErased))
            {
                state.Submission.ClinicalNotes = submitted.ClinicalNotes;
                trace.ClinicalNotesErased = submitted.ClinicalNotesErased;
            }

            trace.ClinicId = state.ClinicId;
            trace.PatientRef = state.PatientRef;
            trace.ClinicianId = state.ClinicianId;
            trace.SubmittedAt = state.SubmittedAt;
            trace.Submission = state.Submission;
            trace.CurrentTriage = state.Triage;
            trace.Version = state.Version;
        }

        return trace;
    }

    public async Task<ReplayDecisionResponse> ReplayAsync(ReplayDecisionRequest request, CancellationToken cancellationToken)
    {
        var chain = await ReadAsync(request.AssessmentId, cancellationToken);
        var submitted = chain.Select(c => c.Event).FirstOrDefault(e => e.EventType == AssessmentSubmitted.EventType)
            ?? throw new InvalidOperationException($"Assessment {request.AssessmentId} has no submission event.");
        var decided = chain.Select(c => c.Event).FirstOrDefault(e => e.EventType == TriageDecided.EventType)
            ?? throw new AssessmentNotFoundException(request.AssessmentId);
        var submission = ProtoJson.Parse<SubmitAssessmentRequest>(submitted.Data<AssessmentSubmitted>().Submission);
        var recorded = ProtoJson.Parse<TriageResult>(decided.Data<TriageDecided>().Triage);

        var rules = request.UseCurrentVersions
            ? knowledge.Current ?? throw new KnowledgeUnavailableException("No current knowledge version is loaded yet.")
            : await knowledge.GetAsync(recorded.KnowledgeVersion, cancellationToken);
        var replayed = TriageEngine.For(rules).Decide(submission);

        var response = new ReplayDecisionResponse
        {
            Recorded = recorded,
            Replayed = replayed,
            RuleSetVersion = replayed.RuleSetVersion,
            KnowledgeVersion = replayed.KnowledgeVersion,
        };
        response.Differences.Add(MessageDiff.Compare(recorded, replayed, OverrideFields));
        response.Reproduced = response.Differences.Count == 0;
        return response;
    }

    /// <summary>The assessment as its events up to a point describe it, with the submission's notes opened.</summary>
    public async Task<AssessmentMessage> FoldAsync(string assessmentId, IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken)
    {
        var state = AssessmentState.Fold(events)
            ?? throw new AuditNotFoundException($"Assessment '{assessmentId}' has no submission.");
        if (events.FirstOrDefault(e => e.EventType == AssessmentSubmitted.EventType) is { } submitted)
        {
            AssessmentNotes.Apply(state, await notes.OpenAsync(submitted, cancellationToken));
        }

        return state;
    }

    private async Task<IReadOnlyList<ChainedEvent>> ReadAsync(string assessmentId, CancellationToken cancellationToken)
    {
        var chain = await audit.ReadChainAsync(audit.StreamOf(assessmentId), cancellationToken);
        return chain.Count > 0 ? chain : throw new AssessmentNotFoundException(assessmentId);
    }
}
