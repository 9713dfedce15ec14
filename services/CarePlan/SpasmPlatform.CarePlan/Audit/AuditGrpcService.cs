using SpasmPlatform.Audit;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.CarePlan.Domain;
using SpasmPlatform.CarePlan.Infrastructure;
using SpasmPlatform.EventStore.Streams;
using Grpc.Core;
using AssessmentMessage = SpasmPlatform.Assessment.V1.Assessment;
using Status = Grpc.Core.Status;
using StatusCode = Grpc.Core.StatusCode;

namespace SpasmPlatform.CarePlan.Audit;

/// <summary>
/// spasm.audit.v1.AuditService over the care-plan service's own streams (careplan-{assessment_id}): the plans drafted
/// for an assessment, their reviews, and re-drafting with the pinned knowledge. Read-only.
/// </summary>
internal sealed class AuditGrpcService(AuditStore audit, CarePlanAuditReader reader, CarePlanBootstrapper bootstrapper) : AuditGrpcServiceBase(audit)
{
    protected override bool IsReady => bootstrapper.IsReady;

    protected override string NotReadyMessage => "The care-plan service is starting; retry shortly.";

    protected override Task<DecisionTrace> TraceAsync(string assessmentId, DateTime deadline, CancellationToken cancellationToken) =>
        reader.TraceAsync(assessmentId, cancellationToken);

    protected override Task<ReplayDecisionResponse> ReplayAsync(ReplayDecisionRequest request, CancellationToken cancellationToken) =>
        reader.ReplayAsync(request, cancellationToken);

    /// <summary>On this service: the assessment as the care-plan service knew it (see <see cref="CarePlanAuditReader.StateOfAsync"/>).</summary>
    protected override Task<AssessmentMessage> FoldAsync(string assessmentId, IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken) =>
        reader.StateOfAsync(assessmentId, events, cancellationToken);

    protected override RpcException? Translate(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        CarePlanNotFoundException e => new RpcException(new Status(StatusCode.NotFound, e.Message)),
        SpasmPlatform.Privacy.NotesKeyMismatchException e => new RpcException(new Status(StatusCode.FailedPrecondition, e.Message)),
        // Only the knowledge service is called from here: without the version to replay with there is nothing to compare.
        RpcException e when !cancellationToken.IsCancellationRequested =>
            new RpcException(new Status(StatusCode.Unavailable, $"The knowledge service could not provide the version to replay with: {e.StatusCode} {e.Status.Detail}")),
        _ => null,
    };
}
