using Npgsql;
using SpasmPlatform.Knowledge.V1;
using SpasmPlatform.Audit.V1;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SpasmPlatform.Assessment.Audit;
using SpasmPlatform.Assessment.Consumers;
using SpasmPlatform.Assessment.Domain;
using SpasmPlatform.Assessment.Grpc;
using SpasmPlatform.Assessment.Infrastructure;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Audit;
using SpasmPlatform.Contracts.Calling;
using SpasmPlatform.EventStore.Inbox;
using SpasmPlatform.EventStore.Outbox;
using Grpc.Core;
using SpasmPlatform.ServiceDefaults.Grpc;
using SpasmPlatform.ServiceDefaults;
using SpasmPlatform.ServiceDefaults.Security;
using SpasmPlatform.ServiceDefaults.Startup;

namespace SpasmPlatform.Assessment;

/// <summary>Everything the assessment service adds to the shared host wiring.</summary>
public static class Extensions
{
    public const string Schema = "assessment";

    public static WebApplicationBuilder AddAssessmentService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults(
            new ServiceInfo("assessment", 5101, StoresClinicalNotes: true, AssessmentService.Descriptor.FullName, AuditService.Descriptor.FullName),
            eventStoreSchema: Schema,
            configureBus: bus =>
            {
                bus.AddConsumer<KnowledgeVersionPublishedConsumer, KnowledgeVersionPublishedConsumerDefinition>();
                bus.AddIdempotentConsumer<CarePlanDraftedConsumer, CarePlanDraftedConsumerDefinition>();
            },
            configureOutbox: outbox => outbox.MessageTypes
                .Register<Integration.TriageDecided>()
                .Register<Integration.TriageOverridden>()
                .Register<Integration.ClinicalNotesErased>(),
            configureEventStore: store =>
            {
                store.Types
                    .Register<AssessmentSubmitted>(AssessmentSubmitted.EventType)
                    .Register<TriageDecided>(TriageDecided.EventType)
                    .Register<TriageOverridden>(TriageOverridden.EventType)
                    .Register<CarePlanLinked>(CarePlanLinked.EventType)
                    .Register<ClinicalNotesErased>(ClinicalNotesErased.EventType);
                // What an override is decided on: the stream folded by the read model's own fold (see AssessmentRepository.OverrideAsync).
                store.Aggregate<AssessmentMessage>(AssessmentState.Evolve);
                var readModel = new AssessmentReadModel(store.Schema);
                store.InlineProjections.Add(readModel);
                store.Tables.Add(readModel.CreateSql);
                builder.Services.AddSingleton(readModel);
            });

        var services = builder.Services;
        services.AddOptions<AssessmentOptions>().BindConfiguration(AssessmentOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<KnowledgeServiceOptions>().BindConfiguration(KnowledgeServiceOptions.Section);
        services.AddOptions<CarePlanServiceOptions>().BindConfiguration(CarePlanServiceOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IResourceOwnership>(sp => new ReadModelOwnership(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<AssessmentReadModel>().Table, "assessment_id"));
        services.AddPlatformGrpcClient<KnowledgeService.KnowledgeServiceClient>(sp => sp.GetRequiredService<IOptions<KnowledgeServiceOptions>>().Value.Address);
        services.AddPlatformGrpcClient<AuditService.AuditServiceClient>(sp => sp.GetRequiredService<IOptions<CarePlanServiceOptions>>().Value.Address);
        services.AddSingleton<KnowledgeCatalog>();
        services.AddSingleton<AssessmentNotes>();
        services.AddSingleton<IOutboxMessageOpener, TriageDecidedNotesOpener>();
        services.AddOptions<SubmissionBatching>().BindConfiguration(SubmissionBatching.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<SubmissionBatching>>().Value);
        services.AddSingleton<AssessmentRepository>();
        services.AddSingleton<NotesEraser>();
        // Ready once the bus is up (a version announced while the current one loads is not missed), then a version is loaded.
        services.AddStartupStep<BusConnectedStep>();
        services.AddStartupStep<KnowledgeLoadStep>();
        services.AddHostedService<KnowledgeRefresher>();
        services.AddGrpcErrors(errors => errors
            .Map<AssessmentNotFoundException>(StatusCode.NotFound)
            .Map<PatientNotFoundException>(StatusCode.NotFound));
        services.AddSingleton<AssessmentGrpcService>();

        services.AddSingleton<IEventNotesReader>(sp => sp.GetRequiredService<AssessmentNotes>());
        services.AddAuditStore(AssessmentStream.StreamId);
        services.AddSingleton<AssessmentAuditReader>();
        services.AddSingleton<CarePlanTraceSource>();
        services.AddSingleton<AssessmentFinder>();
        services.AddSingleton<AuditGrpcService>();

        services.AddRequestValidators(new AssessmentRequestValidators());
        return builder;
    }

    public static WebApplication MapAssessmentService(this WebApplication app)
    {
        app.MapServiceDefaults();
        app.MapGrpcService<AssessmentGrpcService>();
        app.MapGrpcService<AuditGrpcService>();
        return app;
    }
}
