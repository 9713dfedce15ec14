using SpasmPlatform.CarePlan.Domain;
using SpasmPlatform.CarePlan.Infrastructure;
using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Outbox;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.CarePlan.Review;

/// <summary>
/// A physiotherapist's approve, amend and reject: fetch the plan's stream for writing (Marten folds it by
/// <see cref="CarePlanState"/>), let <see cref="CarePlanDecider"/> decide, append what it decided at the version the
/// physiotherapist read and announce it in the same transaction. The decider refuses a version other than the one
/// fetched, and Marten refuses at save a stream another writer moved since the fetch, so two reviewers racing cannot
/// both win. The physiotherapist is the event's actor.
/// </summary>
internal sealed class CarePlanReviewer(IEventStore store, CarePlanQueries queries, KnowledgeCache knowledge, CarePlanEvents events)
{
    /// <summary>CarePlanReviewed.Status of an amendment: the plan stays pending review, but consumers need to tell it apart.</summary>
    public const string AmendedStatus = "AMENDED";

    public Task<V1.CarePlan> ApproveAsync(ApproveCarePlanRequest request, string correlationId, CancellationToken cancellationToken) =>
        ReviewAsync(request.CarePlanId, request.ExpectedVersion, correlationId, cancellationToken, (plan, state, _) =>
        {
            var approved = CarePlanDecider.Approve(state, new ApproveCarePlan(request.CarePlanId, request.ExpectedVersion, request.PhysiotherapistId, request.Note));
            return Task.FromResult(Decided(plan, approved, approved.PhysiotherapistId, CarePlanEvents.StatusName(CarePlanStatus.Approved), approved.Note, correlationId));
        });

    public Task<V1.CarePlan> RejectAsync(RejectCarePlanRequest request, string correlationId, CancellationToken cancellationToken) =>
        ReviewAsync(request.CarePlanId, request.ExpectedVersion, correlationId, cancellationToken, (plan, state, _) =>
        {
            var rejected = CarePlanDecider.Reject(state, new RejectCarePlan(request.CarePlanId, request.ExpectedVersion, request.PhysiotherapistId, request.Reason));
            return Task.FromResult(Decided(plan, rejected, rejected.PhysiotherapistId, CarePlanEvents.StatusName(CarePlanStatus.Rejected), rejected.Reason, correlationId));
        });

    public Task<V1.CarePlan> AmendAsync(AmendCarePlanRequest request, string correlationId, CancellationToken cancellationToken) =>
        ReviewAsync(request.CarePlanId, request.ExpectedVersion, correlationId, cancellationToken, async (plan, state, token) =>
        {
            // The plan's pinned version; fetched before deciding because the decider does no I/O.
            var knowledgeBase = await knowledge.GetAsync(plan.KnowledgeVersion, token);
            var amended = CarePlanDecider.Amend(
                state,
                new AmendCarePlan(request.CarePlanId, request.ExpectedVersion, request.PhysiotherapistId, request.Reason, [.. request.AddInterventionCodes], [.. request.RemoveInterventionCodes]),
                knowledgeBase);
            return Decided(plan, amended, amended.PhysiotherapistId, AmendedStatus, amended.Reason, correlationId);
        });

    private async Task<V1.CarePlan> ReviewAsync(
        string carePlanId,
        long expectedVersion,
        string correlationId,
        CancellationToken cancellationToken,
        Func<V1.CarePlan, CarePlanState, CancellationToken, Task<(NewEvent Event, OutboxMessage Announcement)>> decide)
    {
        // The read model knows which assessment, and so which stream, the plan belongs to; the row serves the announcement.
        var row = await queries.FindAsync(carePlanId, cancellationToken)
            ?? throw new CarePlanNotFoundException($"Care plan '{carePlanId}' does not exist.");
        var streamId = CarePlanStream.Id(row.AssessmentId);
        await using (var session = await store.OpenSessionAsync(cancellationToken))
        {
            // A stream that is not there folds to no plans, as CarePlanState.Fold of no events.
            var state = (await session.FetchForWritingAsync<CarePlanState>(streamId, cancellationToken)).State ?? new CarePlanState();
            var decision = await decide(row, state, cancellationToken);
            await session.AppendAsync(streamId, CarePlanStream.StreamType, ExpectedVersion.Exactly(expectedVersion), [decision.Event], cancellationToken);
            session.Publish(decision.Announcement);
            await session.CommitAsync(cancellationToken);
        }

        return await queries.FindAsync(carePlanId, cancellationToken)
            ?? throw new InvalidOperationException($"Care plan {carePlanId} vanished from the read model.");
    }

    /// <summary>The decided event, and the message announcing it (ids and pinned versions: what a review never changes).</summary>
    private (NewEvent Event, OutboxMessage Announcement) Decided<T>(V1.CarePlan plan, T decided, string physiotherapistId, string status, string note, string correlationId)
        where T : notnull =>
        (events.Event(decided, new EventMetadata(CorrelationId: correlationId, Actor: physiotherapistId)),
            events.Reviewed(plan, status, physiotherapistId, note, correlationId));
}
