using SpasmPlatform.Assessment.Infrastructure;
using SpasmPlatform.Audit;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.Grpc.Protocol;
using SpasmPlatform.Grpc.Server;
using AssessmentMessage = SpasmPlatform.Assessment.V1.Assessment;
using ProtoServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Status = SpasmPlatform.Grpc.Protocol.Status;
using StatusCode = SpasmPlatform.Grpc.Protocol.StatusCode;

namespace SpasmPlatform.Assessment.Audit;

/// <summary>
/// spasm.audit.v1.AuditService over the assessment service's own streams. Read-only. Requests are already validated
/// (see AuditRequestValidators).
/// </summary>
internal sealed class AuditGrpcService(
    AuditStore audit,
    AssessmentAuditReader reader,
    CarePlanTraceSource carePlans,
    AssessmentBootstrapper bootstrapper) : IGrpcService
{
    public static ProtoServiceDescriptor Descriptor => AuditReflection.Descriptor.Services[0];

    public Task<DecisionTrace> GetDecisionTrace(GetDecisionTraceRequest request, ServerCallContext context) => Guarded(async cancellationToken =>
    {
        var trace = await reader.TraceAsync(request.AssessmentId, cancellationToken).ConfigureAwait(false);
        await carePlans.AddToAsync(trace, context.Deadline, cancellationToken).ConfigureAwait(false);
        return trace;
    }, context);

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
            throw new RpcException(new Status(StatusCode.Unavailable, "The assessment service is starting (storage or knowledge not ready); retry shortly."));
        }
    }

    private async Task<T> Guarded<T>(Func<CancellationToken, Task<T>> action, ServerCallContext context)
    {
        RequireReady();
        try
        {
            return await action(context.CancellationToken).ConfigureAwait(false);
        }
        catch (AssessmentNotFoundException e)
        {
            throw new RpcException(new Status(StatusCode.NotFound, e.Message));
        }
        catch (AuditRangeException e)
        {
            throw new RpcException(new Status(StatusCode.OutOfRange, e.Message));
        }
        catch (KnowledgeUnavailableException e)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, e.Message));
        }
    }
}
