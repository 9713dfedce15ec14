using SpasmPlatform.CarePlan.Infrastructure;
using SpasmPlatform.CarePlan.Review;
using SpasmPlatform.CarePlan.V1;
using Grpc.Core;
using SpasmPlatform.ServiceDefaults.Grpc;
using SpasmPlatform.ServiceDefaults;
using Status = Grpc.Core.Status;
using StatusCode = Grpc.Core.StatusCode;

namespace SpasmPlatform.CarePlan.Grpc;

/// <summary>spasm.careplan.v1.CarePlanService. Requests are already validated (see CarePlanRequestValidators).</summary>
internal sealed class CarePlanGrpcService(
    CarePlanQueries queries,
    CarePlanReviewer reviewer,
    CarePlanBootstrapper bootstrapper) : CarePlanService.CarePlanServiceBase
{

    public override Task<V1.CarePlan> GetCarePlan(GetCarePlanRequest request, ServerCallContext context) => Guarded(async cancellationToken =>
        request.CarePlanId.Length > 0
            ? await queries.FindAsync(request.CarePlanId, cancellationToken).ConfigureAwait(false)
                ?? throw new CarePlanNotFoundException($"Care plan '{request.CarePlanId}' does not exist.")
            : await queries.FindByAssessmentAsync(request.AssessmentId, cancellationToken).ConfigureAwait(false)
                ?? throw new CarePlanNotFoundException($"Assessment '{request.AssessmentId}' has no care plan (yet)."),
        context);

    public override Task<ListCarePlansResponse> ListCarePlans(ListCarePlansRequest request, ServerCallContext context) => Guarded(async cancellationToken =>
    {
        // The validator has already refused tokens that do not read or were issued for another filter.
        long? before = PageToken.Read(request.PageToken, request, out var after) == PageTokenReading.Valid ? after.Number : null;
        var pageSize = request.PageSize == 0 ? FieldRules.DefaultPageSize : request.PageSize;
        var (plans, next) = await queries.ListAsync(request.ClinicId, request.Status, pageSize, before, cancellationToken).ConfigureAwait(false);
        var response = new ListCarePlansResponse { NextPageToken = next is { } position ? PageToken.Issue(request, new PagePosition(position)) : string.Empty };
        response.CarePlans.Add(plans);
        return response;
    }, context);

    public override Task<V1.CarePlan> ApproveCarePlan(ApproveCarePlanRequest request, ServerCallContext context) =>
        Guarded(cancellationToken => reviewer.ApproveAsync(request, CorrelationId(context), cancellationToken), context);

    public override Task<V1.CarePlan> AmendCarePlan(AmendCarePlanRequest request, ServerCallContext context) =>
        Guarded(cancellationToken => reviewer.AmendAsync(request, CorrelationId(context), cancellationToken), context);

    public override Task<V1.CarePlan> RejectCarePlan(RejectCarePlanRequest request, ServerCallContext context) =>
        Guarded(cancellationToken => reviewer.RejectAsync(request, CorrelationId(context), cancellationToken), context);

    private static string CorrelationId(ServerCallContext context) => CorrelationIds.For(context);

    private async Task<T> Guarded<T>(Func<CancellationToken, Task<T>> action, ServerCallContext context)
    {
        if (!bootstrapper.IsReady)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "The care-plan service is starting; retry shortly."));
        }

        try
        {
            return await action(context.CancellationToken).ConfigureAwait(false);
        }
        catch (CarePlanNotFoundException e)
        {
            throw new RpcException(new Status(StatusCode.NotFound, e.Message));
        }
        catch (CarePlanStateException e)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }
        catch (CarePlanReviewException e)
        {
            throw RichErrors.InvalidArgument(e.Message, e.Violations.Select(v => (v.Field, v.Description)));
        }
    }
}
