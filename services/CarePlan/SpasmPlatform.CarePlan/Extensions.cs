using SpasmPlatform.Knowledge.V1;
using SpasmPlatform.Audit.V1;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SpasmPlatform.Audit;
using SpasmPlatform.CarePlan.Audit;
using SpasmPlatform.CarePlan.Consumers;
using SpasmPlatform.CarePlan.Domain;
using SpasmPlatform.CarePlan.Grpc;
using SpasmPlatform.CarePlan.Infrastructure;
using SpasmPlatform.CarePlan.Review;
using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.Contracts.Calling;
using Integration = SpasmPlatform.Contracts.IntegrationEvents;
using SpasmPlatform.EventStore.Inbox;
using Grpc.Core;
using SpasmPlatform.ServiceDefaults.Grpc;
using SpasmPlatform.ServiceDefaults;
using SpasmPlatform.ServiceDefaults.Security;

namespace SpasmPlatform.CarePlan;

/// <summary>Everything the care-plan service adds to the shared host wiring.</summary>
public static class Extensions
{
    public const string Schema = "careplan";

    public static WebApplicationBuilder AddCarePlanService(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var schema = configuration["EventStore:Schema"] ?? Schema;
        // Instances of one deployment share these queues and compete for messages; a separate deployment (or a test
        // run on its own schema) names its own, so it never takes another's triages.
        var queuePrefix = configuration["CarePlan:QueuePrefix"] ?? string.Empty;
        var readModel = new CarePlanReadModel(schema);
        // MassTransit's default is twice the cores (four plans at a time on two cores). A draft spends most of its time
        // waiting on the database, and concurrent commits share a WAL flush, so more in flight keeps up with bursts; but
        // each draft holds two connections, and 32 at a time in two instances exhausted PostgreSQL's 100 (seen in CI).
        var draftingConcurrency = configuration.GetValue("CarePlan:DraftingConcurrency", 8);
        builder.AddServiceDefaults(
            new ServiceInfo("care-plan", 5103, StoresClinicalNotes: true, CarePlanService.Descriptor.FullName, AuditService.Descriptor.FullName),
            eventStoreSchema: schema,
            configureBus: bus =>
            {
                bus.AddIdempotentConsumer<TriageDecidedConsumer>().Endpoint(e =>
                {
                    e.Name = $"{queuePrefix}careplan-triage-decided";
                    e.ConcurrentMessageLimit = draftingConcurrency;
                    e.PrefetchCount = draftingConcurrency * 2;
                });
                bus.AddIdempotentConsumer<TriageOverriddenConsumer>().Endpoint(e => e.Name = $"{queuePrefix}careplan-triage-overridden");
                bus.AddIdempotentConsumer<ClinicalNotesErasedConsumer>().Endpoint(e => e.Name = $"{queuePrefix}careplan-clinical-notes-erased");
            },
            configureOutbox: outbox => outbox.MessageTypes.Register<Integration.CarePlanDrafted>().Register<Integration.CarePlanReviewed>(),
            configureEventStore: store =>
            {
                store.Types.Register<CarePlanDrafted>(CarePlanDrafted.EventType);
                store.Types.Register<CarePlanApproved>(CarePlanApproved.EventType);
                store.Types.Register<CarePlanAmended>(CarePlanAmended.EventType);
                store.Types.Register<CarePlanRejected>(CarePlanRejected.EventType);
                store.Types.Register<CarePlanSuperseded>(CarePlanSuperseded.EventType);
                store.InlineProjections.Add(readModel);
            });

        var services = builder.Services;
        var knowledgeAddress = configuration["Knowledge:Address"] is { Length: > 0 } address ? address : "http://127.0.0.1:5102";
        services.AddSingleton<IResourceOwnership, CarePlanOwnership>();
        services.AddPlatformGrpcClient<KnowledgeService.KnowledgeServiceClient>(_ => knowledgeAddress);
        services.AddSingleton<KnowledgeCache>();
        services.AddSingleton(readModel);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<CarePlanEvents>();
        services.AddSingleton<CarePlanNotes>();
        services.AddSingleton<CarePlanQueries>();
        services.AddSingleton<CarePlanReviewer>();
        services.AddSingleton<CarePlanBootstrapper>();
        services.AddHostedService(sp => sp.GetRequiredService<CarePlanBootstrapper>());
        services.AddHealthChecks().AddCheck<CarePlanReadinessCheck>("care-plan", tags: ["ready"]);
        services.AddSingleton<CarePlanGrpcService>();
        services.AddSingleton<IEventNotesReader>(sp => sp.GetRequiredService<CarePlanNotes>());
        services.AddAuditStore(CarePlanStream.Id);
        services.AddSingleton<CarePlanAuditReader>();
        services.AddSingleton<AuditGrpcService>();

        var validators = new CarePlanRequestValidators();
        services.AddSingleton<IRequestValidator<GetCarePlanRequest>>(validators);
        services.AddSingleton<IRequestValidator<ListCarePlansRequest>>(validators);
        services.AddSingleton<IRequestValidator<ApproveCarePlanRequest>>(validators);
        services.AddSingleton<IRequestValidator<AmendCarePlanRequest>>(validators);
        services.AddSingleton<IRequestValidator<RejectCarePlanRequest>>(validators);
        return builder;
    }

    public static WebApplication MapCarePlanService(this WebApplication app)
    {
        app.MapServiceDefaults();
        app.MapGrpcService<CarePlanGrpcService>();
        app.MapGrpcService<AuditGrpcService>();
        return app;
    }
}
