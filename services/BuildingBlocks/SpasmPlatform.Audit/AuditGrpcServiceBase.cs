using SpasmPlatform.Audit.V1;
using SpasmPlatform.EventStore.Streams;
using Grpc.Core;
using SpasmPlatform.ServiceDefaults.Grpc;
using AssessmentMessage = SpasmPlatform.Assessment.V1.Assessment;
using Status = Grpc.Core.Status;
using StatusCode = Grpc.Core.StatusCode;

namespace SpasmPlatform.Audit;

/// <summary>
/// spasm.audit.v1.AuditService as both services serve it: history, integrity and the reading half of time travel are
/// the same over any store; a service supplies its decisions (trace, replay) and its fold. Read-only. Requests are
/// already validated (see <see cref="AuditRequestValidators"/>).
/// </summary>
public abstract class AuditGrpcServiceBase(AuditStore audit) : AuditService.AuditServiceBase
{

    /// <summary>False while the service cannot answer yet (storage, or what replays need, not ready).</summary>
    protected abstract bool IsReady { get; }

    protected abstract string NotReadyMessage { get; }

    public override Task<DecisionTrace> GetDecisionTrace(GetDecisionTraceRequest request, ServerCallContext context) =>
        Guarded(cancellationToken => TraceAsync(request.AssessmentId, context.Deadline, cancellationToken), context);

    public override Task StreamHistory(StreamHistoryRequest request, IServerStreamWriter<HistoryEvent> responseStream, ServerCallContext context) =>
        Guarded(async cancellationToken =>
        {
            await audit.StreamHistoryAsync(request, responseStream, cancellationToken).ConfigureAwait(false);
            return true;
        }, context);

    public override Task<ReplayDecisionResponse> ReplayDecision(ReplayDecisionRequest request, ServerCallContext context) =>
        Guarded(cancellationToken => ReplayAsync(request, cancellationToken), context);

    public override Task<VerifyIntegrityResponse> VerifyIntegrity(VerifyIntegrityRequest request, ServerCallContext context) =>
        Guarded(cancellationToken => audit.VerifyIntegrityAsync(request, cancellationToken), context);

    public override Task<AssessmentMessage> GetStateAt(GetStateAtRequest request, ServerCallContext context) => Guarded(async cancellationToken =>
    {
        var events = await audit.ReadAtAsync(request, cancellationToken).ConfigureAwait(false);
        return await FoldAsync(request.AssessmentId, events, cancellationToken).ConfigureAwait(false);
    }, context);

    public override Task<ListAccessEventsResponse> ListAccessEvents(ListAccessEventsRequest request, ServerCallContext context) =>
        Guarded(cancellationToken => audit.AccessLog.ListAsync(request, cancellationToken), context);

    /// <summary>The decision of one assessment with everything that explains it; <paramref name="deadline"/> bounds calls to other services.</summary>
    protected abstract Task<DecisionTrace> TraceAsync(string assessmentId, DateTime deadline, CancellationToken cancellationToken);

    protected abstract Task<ReplayDecisionResponse> ReplayAsync(ReplayDecisionRequest request, CancellationToken cancellationToken);

    /// <summary>The assessment as this service's events up to the requested point describe it (sealed notes opened).</summary>
    protected abstract Task<AssessmentMessage> FoldAsync(string assessmentId, IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken);

    /// <summary>A service's own failures as gRPC statuses (e.g. its knowledge source being away); null: not one of them.</summary>
    protected virtual RpcException? Translate(Exception exception, CancellationToken cancellationToken) => null;

    private async Task<T> Guarded<T>(Func<CancellationToken, Task<T>> action, ServerCallContext context)
    {
        if (!IsReady)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, NotReadyMessage));
        }

        try
        {
            return await action(context.CancellationToken).ConfigureAwait(false);
        }
        catch (AuditNotFoundException e)
        {
            throw new RpcException(new Status(StatusCode.NotFound, e.Message));
        }
        catch (AuditRangeException e)
        {
            throw new RpcException(new Status(StatusCode.OutOfRange, e.Message));
        }
        catch (Exception e) when (Translate(e, context.CancellationToken) is { } translated)
        {
            throw translated;
        }
    }
}
