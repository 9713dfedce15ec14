using Npgsql;
using SpasmPlatform.Knowledge.V1;
using SpasmPlatform.Audit.V1;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SpasmPlatform.Audit;
using SpasmPlatform.CarePlan.Audit;
using SpasmPlatform.CarePlan.Consumers;
using SpasmPlatform.CarePlan.Domain;
using SpasmPlatform.CarePlan.Grpc;
using SpasmPlatform.CarePlan.Infrastructure;
using SpasmPlatform.CarePlan.Review;
using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.Contracts.Calling;
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
        builder.AddServiceDefaults(
            new ServiceInfo("care-plan", 5103, StoresClinicalNotes: true, CarePlanService.Descriptor.FullName, AuditService.Descriptor.FullName),
            eventStoreSchema: Schema,
            configureBus: bus =>
            {
                bus.AddIdempotentConsumer<TriageDecidedConsumer, TriageDecidedConsumerDefinition>();
                bus.AddIdempotentConsumer<TriageOverriddenConsumer, TriageOverriddenConsumerDefinition>();
                bus.AddIdempotentConsumer<ClinicalNotesErasedConsumer, ClinicalNotesErasedConsumerDefinition>();
            },
            configureOutbox: outbox => outbox.MessageTypes.Register<Integration.CarePlanDrafted>().Register<Integration.CarePlanReviewed>(),
            configureEventStore: store =>
            {
                store.Types.Register<CarePlanDrafted>(CarePlanDrafted.EventType);
                store.Types.Register<CarePlanApproved>(CarePlanApproved.EventType);
                store.Types.Register<CarePlanAmended>(CarePlanAmended.EventType);
                store.Types.Register<CarePlanRejected>(CarePlanRejected.EventType);
                store.Types.Register<CarePlanSuperseded>(CarePlanSuperseded.EventType);
                // What a review is decided on (see CarePlanReviewer): the stream folded by the read model's own fold.
                store.Aggregate<CarePlanState>((state, stored) => CarePlanState.Evolve(state ?? new CarePlanState(), stored));
                var readModel = new CarePlanReadModel(store.Schema);
                store.InlineProjections.Add(readModel);
                store.Tables.Add(readModel.CreateSql);
                builder.Services.AddSingleton(readModel);
            });

        var services = builder.Services;
        services.AddOptions<CarePlanOptions>().BindConfiguration(CarePlanOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<KnowledgeServiceOptions>().BindConfiguration(KnowledgeServiceOptions.Section);
        services.AddSingleton<IResourceOwnership>(sp => new ReadModelOwnership(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<CarePlanReadModel>().Table, "care_plan_id", "assessment_id"));
        services.AddPlatformGrpcClient<KnowledgeService.KnowledgeServiceClient>(sp => sp.GetRequiredService<IOptions<KnowledgeServiceOptions>>().Value.Address);
        services.AddSingleton<KnowledgeCache>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<CarePlanEvents>();
        services.AddSingleton<CarePlanNotes>();
        services.AddSingleton<CarePlanQueries>();
        services.AddSingleton<CarePlanReviewer>();
        services.AddGrpcErrors(errors => errors
            .Map<CarePlanNotFoundException>(StatusCode.NotFound)
            .Map<CarePlanStateException>(StatusCode.FailedPrecondition)
            .Map<CarePlanReviewException>(e => RichErrors.InvalidArgument(e.Message, e.Violations.Select(v => (v.Field, v.Description)))));
        services.AddSingleton<CarePlanGrpcService>();
        services.AddSingleton<IEventNotesReader>(sp => sp.GetRequiredService<CarePlanNotes>());
        services.AddAuditStore(CarePlanStream.Id);
        services.AddSingleton<CarePlanAuditReader>();
        services.AddSingleton<AuditGrpcService>();

        services.AddRequestValidators(new CarePlanRequestValidators());
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
