using SpasmPlatform.Contracts.Calling;
using SpasmPlatform.Assessment.Domain;
using SpasmPlatform.Assessment.Infrastructure;
using SpasmPlatform.Audit;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.EventStore.Streams;
using Grpc.Core;
using SpasmPlatform.Privacy;
using Status = Grpc.Core.Status;
using StatusCode = Grpc.Core.StatusCode;

namespace SpasmPlatform.Assessment.Audit;

/// <summary>
/// spasm.audit.v1.AuditService over the assessment service's own streams: the triage decisions, with the linked care
/// plan and its reviews asked from the care-plan service. Read-only.
/// </summary>
internal sealed class AuditGrpcService(
    AuditStore audit,
    AssessmentAuditReader reader,
    CarePlanTraceSource carePlans,
    AssessmentFinder finder) : AuditGrpcServiceBase(audit)
{
    public override Task<FindAssessmentsResponse> FindAssessments(FindAssessmentsRequest request, ServerCallContext context) =>
        finder.FindAsync(request, context.CancellationToken);

    protected override async Task<DecisionTrace> TraceAsync(string assessmentId, DateTime deadline, CancellationToken cancellationToken)
    {
        var trace = await reader.TraceAsync(assessmentId, cancellationToken);
        await carePlans.AddToAsync(trace, deadline, cancellationToken);
        return trace;
    }

    protected override Task<ReplayDecisionResponse> ReplayAsync(ReplayDecisionRequest request, CancellationToken cancellationToken) =>
        reader.ReplayAsync(request, cancellationToken);

    protected override Task<AssessmentMessage> FoldAsync(string assessmentId, IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken) =>
        reader.FoldAsync(assessmentId, events, cancellationToken);
}
