using SpasmPlatform.Audit;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.CarePlan.Domain;
using SpasmPlatform.CarePlan.Infrastructure;
using SpasmPlatform.EventStore.Streams;
using Grpc.Core;
using Status = Grpc.Core.Status;
using StatusCode = Grpc.Core.StatusCode;

namespace SpasmPlatform.CarePlan.Audit;

/// <summary>
/// spasm.audit.v1.AuditService over the care-plan service's own streams (careplan-{assessment_id}): the plans drafted
/// for an assessment, their reviews, and re-drafting with the pinned knowledge. Read-only.
/// </summary>
internal sealed class AuditGrpcService(AuditStore audit, CarePlanAuditReader reader) : AuditGrpcServiceBase(audit)
{
    protected override Task<DecisionTrace> TraceAsync(string assessmentId, DateTime deadline, CancellationToken cancellationToken) =>
        reader.TraceAsync(assessmentId, cancellationToken);

    protected override Task<ReplayDecisionResponse> ReplayAsync(ReplayDecisionRequest request, CancellationToken cancellationToken) =>
        reader.ReplayAsync(request, cancellationToken);

    /// <summary>On this service: the assessment as the care-plan service knew it (see <see cref="CarePlanAuditReader.StateOfAsync"/>).</summary>
    protected override Task<AssessmentMessage> FoldAsync(string assessmentId, IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken) =>
        reader.StateOfAsync(assessmentId, events, cancellationToken);
}
