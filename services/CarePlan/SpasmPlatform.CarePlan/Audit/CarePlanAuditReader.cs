using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Audit;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.CarePlan.Domain;
using SpasmPlatform.CarePlan.Drafting;
using SpasmPlatform.CarePlan.Infrastructure;
using SpasmPlatform.Contracts.Calling;
using SpasmPlatform.EventStore.Streams;
using Grpc.Net.Client;
using Grpc.Core;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.CarePlan.Audit;

/// <summary>
/// Answers audit questions from an assessment's care-plan stream: the plans drafted for it, how each was reviewed,
/// and whether the drafter, given the same inputs and knowledge version, drafts the same plan again. Only reads.
/// </summary>
internal sealed class CarePlanAuditReader(AuditStore audit, KnowledgeCache knowledge, KnowledgeService.KnowledgeServiceClient knowledgeClient, CarePlanNotes notes)
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    // Stamped by the stream and the reviews, not by the drafter, so a re-draft cannot (and need not) reproduce them.
    private static readonly HashSet<string> NotDrafted = new(StringComparer.Ordinal)
    {
        "version", "drafted_at", "reviewed_by", "review_note", "reviewed_at", "superseded_by_care_plan_id",
    };

    public async Task<DecisionTrace> TraceAsync(string assessmentId, CancellationToken cancellationToken)
    {
        var chain = await ReadAsync(assessmentId, cancellationToken);
        var state = new CarePlanState();
        var trace = new DecisionTrace { AssessmentId = assessmentId };
        trace.Events.Add(await audit.ToHistoryAsync(chain, cancellationToken));
        foreach (var chained in chain)
        {
            state = CarePlanState.Evolve(state, chained.Event);
            trace.Reviews.Add(Review(chained.Event));
        }

        trace.CarePlans.Add(state.Plans);
        trace.CarePlan = state.Current ?? state.Plans[^1];
        trace.CarePlanEvents.Add(trace.Events);
        trace.CarePlanLookup = CarePlanLookup.Found;
        trace.Version = state.Version;
        trace.ClinicId = trace.CarePlan.ClinicId;
        trace.PatientRef = trace.CarePlan.PatientRef;
        trace.RuleSetVersion = trace.CarePlan.RuleSetVersion;
        trace.KnowledgeVersion = trace.CarePlan.KnowledgeVersion;

        var first = state.Draft(state.Plans[0].CarePlanId);
        var (submission, firstNotes) = await notes.SubmissionAsync(first, cancellationToken);
        trace.Submission = submission;
        trace.ClinicalNotesErased = firstNotes.Erased;
        trace.ClinicianId = trace.Submission.ClinicianId;
        trace.Triage = Parser.Parse<TriageResult>(first.TriageJson);
        trace.CurrentTriage = Parser.Parse<TriageResult>(state.Draft(trace.CarePlan.CarePlanId).TriageJson);
        // Each redraft after an override records the override it followed.
        trace.Overrides.Add(state.Plans
            .Select(p => Parser.Parse<TriageResult>(state.Draft(p.CarePlanId).TriageJson).Override)
            .Where(o => o is not null));
        return trace;
    }

    /// <summary>Drafts the plan again from the submission and triage it was drafted from, with its pinned (or today's) knowledge.</summary>
    public async Task<ReplayDecisionResponse> ReplayAsync(ReplayDecisionRequest request, CancellationToken cancellationToken)
    {
        var state = CarePlanState.Fold((await ReadAsync(request.AssessmentId, cancellationToken)).Select(c => c.Event));
        var plan = request.CarePlanId.Length > 0
            ? state.Find(request.CarePlanId) ?? throw new CarePlanNotFoundException($"Assessment '{request.AssessmentId}' has no care plan '{request.CarePlanId}'.")
            : state.Current ?? state.Plans[^1];
        var drafted = state.Draft(plan.CarePlanId);
        // After an erasure the drafter gets no notes: an exclusion only the notes caused shows up as a difference.
        var (submission, _) = await notes.SubmissionAsync(drafted, cancellationToken);
        var triage = Parser.Parse<TriageResult>(drafted.TriageJson);
        var recorded = Parser.Parse<V1.CarePlan>(drafted.Plan.GetRawText());

        var rules = await KnowledgeForReplayAsync(request.UseCurrentVersions ? null : recorded.KnowledgeVersion, cancellationToken);
        var replayed = CarePlanDrafter.Draft(submission, triage, rules);
        // Identity is given by the consumer that drafted it, not by the drafter.
        replayed.CarePlanId = recorded.CarePlanId;
        replayed.AssessmentId = recorded.AssessmentId;
        replayed.ClinicId = recorded.ClinicId;
        replayed.PatientRef = recorded.PatientRef;
        replayed.AssessmentVersion = recorded.AssessmentVersion;
        replayed.SupersedesCarePlanId = recorded.SupersedesCarePlanId;

        var response = new ReplayDecisionResponse
        {
            Recorded = triage,
            RecordedCarePlan = recorded,
            ReplayedCarePlan = replayed,
            RuleSetVersion = rules.RuleSet.Version,
            KnowledgeVersion = rules.Manifest.Version,
        };
        response.Differences.Add(MessageDiff.Compare(recorded, replayed, NotDrafted));
        response.Reproduced = response.Differences.Count == 0;
        return response;
    }

    /// <summary>
    /// The assessment as the care-plan service knew it at a version or moment of its stream: the submission and
    /// triage the then-current plan was drafted from (its notes opened), that plan's id, and the care-plan stream's version.
    /// </summary>
    public async Task<AssessmentMessage> StateOfAsync(string assessmentId, IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken)
    {
        var state = CarePlanState.Fold(events);
        var plan = state.Current ?? state.Plans[^1];
        var drafted = state.Draft(plan.CarePlanId);
        var (submission, submissionNotes) = await notes.SubmissionAsync(drafted, cancellationToken);
        return new AssessmentMessage
        {
            ClinicalNotesErased = submissionNotes.Erased,
            AssessmentId = assessmentId,
            ClinicId = plan.ClinicId,
            PatientRef = plan.PatientRef,
            ClinicianId = submission.ClinicianId,
            Submission = submission,
            Triage = Parser.Parse<TriageResult>(drafted.TriageJson),
            Version = state.Version,
            CarePlanId = plan.CarePlanId,
        };
    }

    private static CarePlanReview Review(StoredEvent stored)
    {
        var review = new CarePlanReview
        {
            Actor = stored.Metadata.Actor ?? string.Empty,
            At = Timestamp.FromDateTimeOffset(stored.RecordedAt),
            Version = stored.StreamVersion,
        };
        switch (stored.EventType)
        {
            case CarePlanDrafted.EventType:
                var drafted = stored.Data<CarePlanDrafted>();
                review.CarePlanId = drafted.CarePlanId;
                review.Action = "drafted";
                review.Note = drafted.SupersedesCarePlanId is { Length: > 0 } replaced
                    ? $"redrafted from assessment version {drafted.AssessmentVersion}, replacing {replaced}"
                    : $"drafted from assessment version {drafted.AssessmentVersion}";
                break;
            case CarePlanApproved.EventType:
                var approved = stored.Data<CarePlanApproved>();
                (review.CarePlanId, review.Action, review.Actor, review.Note) = (approved.CarePlanId, "approved", approved.PhysiotherapistId, approved.Note);
                break;
            case CarePlanAmended.EventType:
                var amended = stored.Data<CarePlanAmended>();
                (review.CarePlanId, review.Action, review.Actor, review.Note) = (amended.CarePlanId, "amended", amended.PhysiotherapistId, amended.Reason);
                review.AddedInterventionCodes.Add(amended.Added.Select(a => a.TryGetProperty("code", out var code) ? code.GetString() ?? string.Empty : string.Empty));
                review.RemovedInterventionCodes.Add(amended.Removed);
                break;
            case CarePlanRejected.EventType:
                var rejected = stored.Data<CarePlanRejected>();
                (review.CarePlanId, review.Action, review.Actor, review.Note) = (rejected.CarePlanId, "rejected", rejected.PhysiotherapistId, rejected.Reason);
                break;
            case CarePlanSuperseded.EventType:
                var superseded = stored.Data<CarePlanSuperseded>();
                (review.CarePlanId, review.Action, review.Note) = (superseded.CarePlanId, "superseded", superseded.Reason);
                break;
            default:
                review.Action = stored.EventType;
                break;
        }

        return review;
    }

    /// <summary>The pinned version, or today's when <paramref name="version"/> is null.</summary>
    private async Task<KnowledgeBase> KnowledgeForReplayAsync(string? version, CancellationToken cancellationToken)
    {
        try
        {
            version ??= (await knowledgeClient.ListVersionsAsync(
                new ListVersionsRequest(), new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancellationToken))).CurrentVersion;
            return await knowledge.GetAsync(version, cancellationToken);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            // Without the version to replay with there is nothing to compare.
            throw new KnowledgeUnavailableException($"The knowledge service could not provide the version to replay with: {e.StatusCode} {e.Status.Detail}", e);
        }
    }

    private async Task<IReadOnlyList<ChainedEvent>> ReadAsync(string assessmentId, CancellationToken cancellationToken)
    {
        var chain = await audit.ReadChainAsync(audit.StreamOf(assessmentId), cancellationToken);
        return chain.Count > 0 ? chain : throw new CarePlanNotFoundException($"Assessment '{assessmentId}' has no care plan.");
    }
}
