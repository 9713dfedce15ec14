using SpasmPlatform.Audit.V1;
using SpasmPlatform.EventStore.Streams;
using Grpc.Core;
using AssessmentMessage = SpasmPlatform.Assessment.V1.Assessment;

namespace SpasmPlatform.Audit;

/// <summary>
/// spasm.audit.v1.AuditService as both services serve it: history, integrity and the reading half of time travel are
/// the same over any store; a service supplies its decisions (trace, replay) and its fold. Read-only. Requests are
/// already validated (see <see cref="AuditRequestValidators"/>); readiness and errors are the interceptors' (see
/// <c>AddAuditStore</c> for this part's exception map).
/// </summary>
public abstract class AuditGrpcServiceBase(AuditStore audit) : AuditService.AuditServiceBase
{
    public override Task<DecisionTrace> GetDecisionTrace(GetDecisionTraceRequest request, ServerCallContext context) =>
        TraceAsync(request.AssessmentId, context.Deadline, context.CancellationToken);

    public override Task StreamHistory(StreamHistoryRequest request, IServerStreamWriter<HistoryEvent> responseStream, ServerCallContext context) =>
        audit.StreamHistoryAsync(request, responseStream, context.CancellationToken);

    public override Task<ReplayDecisionResponse> ReplayDecision(ReplayDecisionRequest request, ServerCallContext context) =>
        ReplayAsync(request, context.CancellationToken);

    public override Task<VerifyIntegrityResponse> VerifyIntegrity(VerifyIntegrityRequest request, ServerCallContext context) =>
        audit.VerifyIntegrityAsync(request, context.CancellationToken);

    public override async Task<AssessmentMessage> GetStateAt(GetStateAtRequest request, ServerCallContext context)
    {
        var events = await audit.ReadAtAsync(request, context.CancellationToken).ConfigureAwait(false);
        return await FoldAsync(request.AssessmentId, events, context.CancellationToken).ConfigureAwait(false);
    }

    public override Task<ListAccessEventsResponse> ListAccessEvents(ListAccessEventsRequest request, ServerCallContext context) =>
        audit.AccessLog.ListAsync(request, context.CancellationToken);

    /// <summary>The decision of one assessment with everything that explains it; <paramref name="deadline"/> bounds calls to other services.</summary>
    protected abstract Task<DecisionTrace> TraceAsync(string assessmentId, DateTime deadline, CancellationToken cancellationToken);

    protected abstract Task<ReplayDecisionResponse> ReplayAsync(ReplayDecisionRequest request, CancellationToken cancellationToken);

    /// <summary>The assessment as this service's events up to the requested point describe it (sealed notes opened).</summary>
    protected abstract Task<AssessmentMessage> FoldAsync(string assessmentId, IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken);
}
