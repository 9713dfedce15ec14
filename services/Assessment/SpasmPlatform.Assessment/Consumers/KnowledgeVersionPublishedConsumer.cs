using MassTransit;
using SpasmPlatform.Assessment.Infrastructure;
using SpasmPlatform.Contracts.IntegrationEvents;

namespace SpasmPlatform.Assessment.Consumers;

/// <summary>
/// Moves new submissions to a newly published knowledge version without a restart. Every instance needs every
/// announcement (it switches an in-memory cache), so this runs on a temporary queue per instance rather than through
/// the inbox: switching is idempotent and only ever goes up, so redeliveries and reordering are harmless.
/// </summary>
internal sealed class KnowledgeVersionPublishedConsumer(KnowledgeCatalog knowledge) : IConsumer<KnowledgeVersionPublished>
{
    public Task Consume(ConsumeContext<KnowledgeVersionPublished> context) =>
        knowledge.SwitchAsync(context.Message.KnowledgeVersion, context.Message.ContentHash, context.CancellationToken);
}
