using SpasmPlatform.CarePlan.Domain;
using SpasmPlatform.CarePlan.Infrastructure;
using SpasmPlatform.CarePlan.Review;
using SpasmPlatform.CarePlan.V1;
using Grpc.Core;
using SpasmPlatform.ServiceDefaults;
using SpasmPlatform.ServiceDefaults.Grpc;

namespace SpasmPlatform.CarePlan.Grpc;

/// <summary>
/// spasm.careplan.v1.CarePlanService. Requests are already validated (see CarePlanRequestValidators); the
/// exceptions thrown here become statuses through the service's error map (see Extensions.cs).
/// </summary>
internal sealed class CarePlanGrpcService(
    CarePlanQueries queries,
    CarePlanReviewer reviewer) : CarePlanService.CarePlanServiceBase
{
    public override async Task<V1.CarePlan> GetCarePlan(GetCarePlanRequest request, ServerCallContext context) =>
        request.CarePlanId.Length > 0
            ? await queries.FindAsync(request.CarePlanId, context.CancellationToken)
                ?? throw new CarePlanNotFoundException($"Care plan '{request.CarePlanId}' does not exist.")
            : await queries.FindByAssessmentAsync(request.AssessmentId, context.CancellationToken)
                ?? throw new CarePlanNotFoundException($"Assessment '{request.AssessmentId}' has no care plan (yet).");

    public override async Task<ListCarePlansResponse> ListCarePlans(ListCarePlansRequest request, ServerCallContext context)
    {
        // The validator has already refused tokens that do not read or were issued for another filter.
        long? before = PageToken.Read(request.PageToken, request, out var after) == PageTokenReading.Valid ? after.Number : null;
        var pageSize = request.PageSize == 0 ? FieldRules.DefaultPageSize : request.PageSize;
        var (plans, next) = await queries.ListAsync(request.ClinicId, request.Status, pageSize, before, context.CancellationToken);
        var response = new ListCarePlansResponse { NextPageToken = next is { } position ? PageToken.Issue(request, new PagePosition(position)) : string.Empty };
        response.CarePlans.Add(plans);
        return response;
    }

    public override Task<V1.CarePlan> ApproveCarePlan(ApproveCarePlanRequest request, ServerCallContext context) =>
        reviewer.ApproveAsync(request, CorrelationIds.For(context), context.CancellationToken);

    public override Task<V1.CarePlan> AmendCarePlan(AmendCarePlanRequest request, ServerCallContext context) =>
        reviewer.AmendAsync(request, CorrelationIds.For(context), context.CancellationToken);

    public override Task<V1.CarePlan> RejectCarePlan(RejectCarePlanRequest request, ServerCallContext context) =>
        reviewer.RejectAsync(request, CorrelationIds.For(context), context.CancellationToken);
}
