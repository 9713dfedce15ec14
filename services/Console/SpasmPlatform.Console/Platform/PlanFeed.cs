using MassTransit;
using SpasmPlatform.Contracts.IntegrationEvents;

namespace SpasmPlatform.Console.Platform;

/// <summary>A plan of a clinic was drafted or reviewed: open review queues of that clinic reload.</summary>
public sealed record PlanChanged(string ClinicId, string CarePlanId);

/// <summary>
/// Tells open pages that a clinic's plans changed, from the care-plan service's integration events. Pages reload
/// through the services (as their person), so the feed carries no patient data and bypasses no authorisation.
/// </summary>
public sealed class PlanFeed
{
    public event Action<PlanChanged>? Changed;

    public void Publish(PlanChanged change) => Changed?.Invoke(change);
}

public sealed class CarePlanDraftedConsumer(PlanFeed feed) : IConsumer<CarePlanDrafted>
{
    public Task Consume(ConsumeContext<CarePlanDrafted> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        feed.Publish(new PlanChanged(context.Message.ClinicId, context.Message.CarePlanId));
        return Task.CompletedTask;
    }
}

public sealed class CarePlanReviewedConsumer(PlanFeed feed) : IConsumer<CarePlanReviewed>
{
    public Task Consume(ConsumeContext<CarePlanReviewed> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        feed.Publish(new PlanChanged(context.Message.ClinicId, context.Message.CarePlanId));
        return Task.CompletedTask;
    }
}

/// <summary>"&lt;prefix&gt;.&lt;type&gt;", as the services name their exchanges when Messaging:EntityPrefix is set.</summary>
internal sealed class PrefixedNames(string prefix, IEntityNameFormatter inner) : IEntityNameFormatter
{
    public string FormatEntityName<T>() => $"{prefix}.{inner.FormatEntityName<T>()}";
}
