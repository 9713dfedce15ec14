using SpasmPlatform.Audit;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.CarePlan.Infrastructure;
using SpasmPlatform.CarePlan.Review;
using SpasmPlatform.Grpc.Protocol;
using SpasmPlatform.Grpc.Server;
using AssessmentMessage = SpasmPlatform.Assessment.V1.Assessment;
using ProtoServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Status = SpasmPlatform.Grpc.Protocol.Status;
using StatusCode = SpasmPlatform.Grpc.Protocol.StatusCode;

namespace SpasmPlatform.CarePlan.Audit;

/// <summary>
/// spasm.audit.v1.AuditService over the care-plan service's own streams (careplan-{assessment_id}). Read-only.
/// Requests are already validated (see AuditRequestValidators).
/// </summary>
internal sealed class AuditGrpcService(AuditStore audit, CarePlanAuditReader reader, CarePlanBootstrapper bootstrapper) : IGrpcService
{
    public static ProtoServiceDescriptor Descriptor => AuditReflection.Descriptor.Services[0];

    public Task<DecisionTrace> GetDecisionTrace(GetDecisionTraceRequest request, ServerCallContext context) =>
        Guarded(cancellationToken => reader.TraceAsync(request.AssessmentId, cancellationToken), context);

    public async Task StreamHistory(StreamHistoryRequest request, IServerStreamWriter<HistoryEvent> responseStream, ServerCallContext context)
    {
        RequireReady();
        await audit.StreamHistoryAsync(request, responseStream, context.CancellationToken).ConfigureAwait(false);
    }

    public Task<ReplayDecisionResponse> ReplayDecision(ReplayDecisionRequest request, ServerCallContext context) =>
        Guarded(cancellationToken => reader.ReplayAsync(request, cancellationToken), context);

    public Task<VerifyIntegrityResponse> VerifyIntegrity(VerifyIntegrityRequest request, ServerCallContext context) =>
        Guarded(cancellationToken => audit.VerifyIntegrityAsync(request, cancellationToken), context);

    public Task<AssessmentMessage> GetStateAt(GetStateAtRequest request, ServerCallContext context) =>
        Guarded(cancellationToken => reader.StateAtAsync(request, cancellationToken), context);

    private void RequireReady()
    {
        if (!bootstrapper.IsReady)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "The care-plan service is starting; retry shortly."));
        }
    }

    private async Task<T> Guarded<T>(Func<CancellationToken, Task<T>> action, ServerCallContext context)
    {
        RequireReady();
        try
        {
            return await action(context.CancellationToken).ConfigureAwait(false);
        }
        catch (CarePlanNotFoundException e)
        {
            throw new RpcException(new Status(StatusCode.NotFound, e.Message));
        }
        catch (AuditRangeException e)
        {
            throw new RpcException(new Status(StatusCode.OutOfRange, e.Message));
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.NotFound && !context.CancellationToken.IsCancellationRequested)
        {
            // Only the knowledge service is called from here: without the pinned version there is nothing to replay with.
            throw new RpcException(new Status(StatusCode.Unavailable, $"The knowledge service could not provide the version to replay with: {e.StatusCode} {e.Status.Detail}"));
        }
    }
}
