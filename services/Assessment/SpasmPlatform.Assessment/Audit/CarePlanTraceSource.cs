using Microsoft.Extensions.Options;
using SpasmPlatform.Audit.V1;
using Grpc.Core;
using StatusCode = Grpc.Core.StatusCode;

namespace SpasmPlatform.Assessment.Audit;

/// <summary>
/// Adds the care-plan service's side of a decision (the linked plan, every plan of the assessment, the reviews) to a
/// trace, by asking that service's own AuditService. An auditor still gets the assessment's trace when the care-plan
/// service is away: the trace then says so instead of failing.
/// </summary>
internal sealed class CarePlanTraceSource(IOptions<CarePlanServiceOptions> options, AuditService.AuditServiceClient carePlanAudit)
{
    public async Task AddToAsync(DecisionTrace trace, DateTime callDeadline, CancellationToken cancellationToken)
    {
        var ownDeadline = DateTime.UtcNow + options.Value.CallTimeout;
        var deadline = callDeadline < ownDeadline ? callDeadline : ownDeadline;
        try
        {
            var planTrace = await carePlanAudit
                .GetDecisionTraceAsync(new GetDecisionTraceRequest { AssessmentId = trace.AssessmentId }, new CallOptions(deadline: deadline, cancellationToken: cancellationToken))
                .ResponseAsync;
            trace.CarePlan = planTrace.CarePlan;
            trace.CarePlans.Add(planTrace.CarePlans);
            trace.Reviews.Add(planTrace.Reviews);
            trace.CarePlanEvents.Add(planTrace.Events);
            trace.CarePlanLookup = planTrace.CarePlan is null ? CarePlanLookup.None : CarePlanLookup.Found;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            trace.CarePlanLookup = CarePlanLookup.None;
            trace.CarePlanLookupDetail = "The care-plan service has no plan for this assessment.";
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            trace.CarePlanLookup = CarePlanLookup.Unavailable;
            trace.CarePlanLookupDetail = $"The care-plan service at {options.Value.Address} did not answer: {e.StatusCode} {e.Status.Detail}";
        }
    }
}
