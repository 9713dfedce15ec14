using SpasmPlatform.CarePlan.Domain;
using SpasmPlatform.CarePlan.Drafting;
using SpasmPlatform.CarePlan.Infrastructure;
using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Streams;
using Grpc.Core;
using SpasmPlatform.ServiceDefaults.Grpc;

namespace SpasmPlatform.CarePlan.Review;

/// <summary>
/// A physiotherapist's approve, amend and reject. Each is checked against the version the physiotherapist read
/// (stale: ConcurrencyException, which the gRPC edge answers ABORTED) and appended with that same expectation, so
/// two reviewers racing cannot both win. The physiotherapist is the event's actor.
/// </summary>
internal sealed class CarePlanReviewer(IEventStore store, CarePlanQueries queries, KnowledgeCache knowledge, CarePlanEvents events)
{
    /// <summary>CarePlanReviewed.Status of an amendment: the plan stays pending review, but consumers need to tell it apart.</summary>
    public const string AmendedStatus = "AMENDED";

    public Task<V1.CarePlan> ApproveAsync(ApproveCarePlanRequest request, string correlationId, CancellationToken cancellationToken) =>
        ReviewAsync(request.CarePlanId, request.ExpectedVersion, cancellationToken, (plan, _) =>
        {
            RequireStatus(plan, "approve", CarePlanStatus.PendingReview, CarePlanStatus.ReferralOnly);
            var approved = new CarePlanApproved(plan.CarePlanId, request.PhysiotherapistId, request.Note);
            return Task.FromResult((events.Event(approved, Metadata(request.PhysiotherapistId, correlationId)),
                events.Reviewed(plan, CarePlanEvents.StatusName(CarePlanStatus.Approved), request.PhysiotherapistId, request.Note, correlationId)));
        });

    public Task<V1.CarePlan> RejectAsync(RejectCarePlanRequest request, string correlationId, CancellationToken cancellationToken) =>
        ReviewAsync(request.CarePlanId, request.ExpectedVersion, cancellationToken, (plan, _) =>
        {
            RequireStatus(plan, "reject", CarePlanStatus.PendingReview, CarePlanStatus.ReferralOnly);
            var rejected = new CarePlanRejected(plan.CarePlanId, request.PhysiotherapistId, request.Reason);
            return Task.FromResult((events.Event(rejected, Metadata(request.PhysiotherapistId, correlationId)),
                events.Reviewed(plan, CarePlanEvents.StatusName(CarePlanStatus.Rejected), request.PhysiotherapistId, request.Reason, correlationId)));
        });

    public Task<V1.CarePlan> AmendAsync(AmendCarePlanRequest request, string correlationId, CancellationToken cancellationToken) =>
        ReviewAsync(request.CarePlanId, request.ExpectedVersion, cancellationToken, async (plan, token) =>
        {
            RequireStatus(plan, "amend", CarePlanStatus.PendingReview);
            var knowledgeBase = await knowledge.GetAsync(plan.KnowledgeVersion, token).ConfigureAwait(false);
            var byCode = knowledgeBase.Interventions.ToDictionary(i => i.Code, StringComparer.Ordinal);
            var inPlan = plan.Interventions.Select(i => i.Code).ToHashSet(StringComparer.Ordinal);
            var violations = new List<FieldViolation>();
            for (var i = 0; i < request.AddInterventionCodes.Count; i++)
            {
                var code = request.AddInterventionCodes[i];
                if (!byCode.ContainsKey(code))
                {
                    violations.Add(new FieldViolation($"add_intervention_codes[{i}]", $"'{code}' is not an intervention of knowledge version {plan.KnowledgeVersion}"));
                }
                else if (inPlan.Contains(code))
                {
                    violations.Add(new FieldViolation($"add_intervention_codes[{i}]", $"'{code}' is already in the plan"));
                }
            }

            for (var i = 0; i < request.RemoveInterventionCodes.Count; i++)
            {
                if (!inPlan.Contains(request.RemoveInterventionCodes[i]))
                {
                    violations.Add(new FieldViolation($"remove_intervention_codes[{i}]", $"'{request.RemoveInterventionCodes[i]}' is not in the plan"));
                }
            }

            if (violations.Count > 0)
            {
                throw new CarePlanReviewException(violations);
            }

            var added = request.AddInterventionCodes
                .Select(code => CarePlanDrafter.ToPlanned(byCode[code], $"added by physiotherapist {request.PhysiotherapistId}: {request.Reason}"))
                .Select(CarePlanEvents.ToJson)
                .ToList();
            var amended = new CarePlanAmended(plan.CarePlanId, request.PhysiotherapistId, request.Reason, added, [.. request.RemoveInterventionCodes]);
            return (events.Event(amended, Metadata(request.PhysiotherapistId, correlationId)),
                events.Reviewed(plan, AmendedStatus, request.PhysiotherapistId, request.Reason, correlationId));
        });

    private async Task<V1.CarePlan> ReviewAsync(
        string carePlanId,
        long expectedVersion,
        CancellationToken cancellationToken,
        Func<V1.CarePlan, CancellationToken, Task<(NewEvent Event, OutboxMessage Announcement)>> decide)
    {
        var row = await queries.FindAsync(carePlanId, cancellationToken).ConfigureAwait(false)
            ?? throw new CarePlanNotFoundException($"Care plan '{carePlanId}' does not exist.");
        var streamId = CarePlanStream.Id(row.AssessmentId);
        var state = CarePlanState.Fold(await store.ReadStreamAsync(streamId, cancellationToken: cancellationToken).ConfigureAwait(false));
        if (state.Version != expectedVersion)
        {
            // Checked before the status, so a reviewer who read an old version re-reads rather than being told a stale state.
            throw new ConcurrencyException(streamId, ExpectedVersion.Exactly(expectedVersion), $"{streamId} is at version {state.Version}, not {expectedVersion}.");
        }

        var plan = state.Find(carePlanId) ?? throw new CarePlanNotFoundException($"Care plan '{carePlanId}' does not exist.");
        var (newEvent, announcement) = await decide(plan, cancellationToken).ConfigureAwait(false);
        await store.AppendAsync(streamId, CarePlanStream.StreamType, ExpectedVersion.Exactly(expectedVersion), [newEvent], [announcement], cancellationToken).ConfigureAwait(false);
        return await queries.FindAsync(carePlanId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Care plan {carePlanId} vanished from the read model.");
    }

    private static void RequireStatus(V1.CarePlan plan, string action, params CarePlanStatus[] allowed)
    {
        if (!allowed.Contains(plan.Status))
        {
            throw new CarePlanStateException($"Cannot {action} care plan {plan.CarePlanId}: it is {plan.Status}.");
        }
    }

    private static EventMetadata Metadata(string physiotherapistId, string correlationId) =>
        new(CorrelationId: correlationId, Actor: physiotherapistId);
}
