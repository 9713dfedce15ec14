using SpasmPlatform.CarePlan.Drafting;
using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.EventStore.Streams;
using SpasmPlatform.Knowledge.V1;
using SpasmPlatform.ServiceDefaults.Grpc;

namespace SpasmPlatform.CarePlan.Domain;

/// <summary>
/// The physiotherapist's review as pure decisions: from the plans of one assessment (<see cref="CarePlanState"/>) and
/// a command to the event that records it, or a refusal. Checked in this order, so each caller hears the most useful
/// answer: an unknown plan (<see cref="CarePlanNotFoundException"/>); a version other than the stream's
/// (<see cref="ConcurrencyException"/>: whoever read an old version re-reads rather than being told about a state
/// they have not seen); a status that does not allow the review (<see cref="CarePlanStateException"/>); codes the
/// plan or its knowledge version does not allow (<see cref="CarePlanReviewException"/>, one violation per code).
/// The shape of a command (ids, lengths, a reason where one is required, codes listed twice) is the request
/// validators' to refuse with every field at once; here it is a precondition.
/// </summary>
public static class CarePlanDecider
{
    /// <summary>A plan still awaiting review; a referral-only plan (no exercises to amend) can be approved or rejected.</summary>
    private static readonly CarePlanStatus[] Reviewable = [CarePlanStatus.PendingReview, CarePlanStatus.ReferralOnly];

    private static readonly CarePlanStatus[] Amendable = [CarePlanStatus.PendingReview];

    public static CarePlanApproved Approve(CarePlanState state, ApproveCarePlan command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var plan = PlanUnderReview(state, command.CarePlanId, command.ExpectedVersion, "approve", Reviewable);
        return new CarePlanApproved(plan.CarePlanId, command.PhysiotherapistId, command.Note);
    }

    public static CarePlanRejected Reject(CarePlanState state, RejectCarePlan command)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentException.ThrowIfNullOrWhiteSpace(command.Reason);
        var plan = PlanUnderReview(state, command.CarePlanId, command.ExpectedVersion, "reject", Reviewable);
        return new CarePlanRejected(plan.CarePlanId, command.PhysiotherapistId, command.Reason);
    }

    /// <summary>
    /// <paramref name="knowledge"/> is the plan's own pinned version (<c>KnowledgeVersion</c> of the plan), so an
    /// amendment offers what the plan was drafted from, not what was published since.
    /// </summary>
    public static CarePlanAmended Amend(CarePlanState state, AmendCarePlan command, KnowledgeBase knowledge)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(knowledge);
        ArgumentException.ThrowIfNullOrWhiteSpace(command.Reason);
        var plan = PlanUnderReview(state, command.CarePlanId, command.ExpectedVersion, "amend", Amendable);
        var byCode = knowledge.Interventions.ToDictionary(i => i.Code, StringComparer.Ordinal);
        // Grows as codes are accepted: a plan never lists an intervention twice, even if a caller skipped the validator.
        var inPlan = plan.Interventions.Select(i => i.Code).ToHashSet(StringComparer.Ordinal);
        var planned = plan.Interventions.Select(i => i.Code).ToHashSet(StringComparer.Ordinal);
        var violations = new List<FieldViolation>();
        for (var i = 0; i < command.AddInterventionCodes.Count; i++)
        {
            var code = command.AddInterventionCodes[i];
            if (!byCode.ContainsKey(code))
            {
                violations.Add(new FieldViolation($"add_intervention_codes[{i}]", $"'{code}' is not an intervention of knowledge version {plan.KnowledgeVersion}"));
            }
            else if (!inPlan.Add(code))
            {
                violations.Add(new FieldViolation($"add_intervention_codes[{i}]", $"'{code}' is already in the plan"));
            }
        }

        for (var i = 0; i < command.RemoveInterventionCodes.Count; i++)
        {
            if (!planned.Contains(command.RemoveInterventionCodes[i]))
            {
                violations.Add(new FieldViolation($"remove_intervention_codes[{i}]", $"'{command.RemoveInterventionCodes[i]}' is not in the plan"));
            }
        }

        if (violations.Count > 0)
        {
            throw new CarePlanReviewException(violations);
        }

        var added = command.AddInterventionCodes
            .Select(code => ProtoJson.ToElement(CarePlanDrafter.ToPlanned(byCode[code], $"added by physiotherapist {command.PhysiotherapistId}: {command.Reason}")))
            .ToList();
        return new CarePlanAmended(plan.CarePlanId, command.PhysiotherapistId, command.Reason, added, [.. command.RemoveInterventionCodes]);
    }

    private static V1.CarePlan PlanUnderReview(CarePlanState state, string carePlanId, long expectedVersion, string action, CarePlanStatus[] allowed)
    {
        ArgumentNullException.ThrowIfNull(state);
        var plan = state.Find(carePlanId) ?? throw new CarePlanNotFoundException($"Care plan '{carePlanId}' does not exist.");
        if (state.Version != expectedVersion)
        {
            var streamId = CarePlanStream.Id(plan.AssessmentId);
            throw new ConcurrencyException(streamId, ExpectedVersion.Exactly(expectedVersion), $"{streamId} is at version {state.Version}, not {expectedVersion}.");
        }

        if (!allowed.Contains(plan.Status))
        {
            throw new CarePlanStateException($"Cannot {action} care plan {plan.CarePlanId}: it is {plan.Status}.");
        }

        return plan;
    }
}
