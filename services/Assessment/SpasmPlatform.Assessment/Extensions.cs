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
using Integration = SpasmPlatform.Contracts.IntegrationEvents;

namespace SpasmPlatform.Assessment;

/// <summary>Everything the assessment service adds to the shared host wiring.</summary>
public static class Extensions
{
    public const string Schema = "assessment";

    public static WebApplicationBuilder AddAssessmentService(this WebApplicationBuilder builder)
    {
        var schema = builder.Configuration["EventStore:Schema"] ?? Schema;
        var readModel = new AssessmentReadModel(schema);
        var carePlanConcurrency = builder.Configuration.GetValue("Assessment:CarePlanLinkConcurrency", 8);
        builder.AddServiceDefaults(
            new ServiceInfo("assessment", 5101, StoresClinicalNotes: true, AssessmentService.Descriptor.FullName, AuditService.Descriptor.FullName),
            eventStoreSchema: schema,
            configureBus: bus =>
            {
                // One queue per instance: each instance keeps its own current version, so each must hear every announcement.
                bus.AddConsumer<KnowledgeVersionPublishedConsumer>((_, consumer) =>
                        consumer.UseMessageRetry(r => r.Intervals(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15))))
                    .Endpoint(e =>
                    {
                        e.Name = $"{schema}-knowledge-version-{Guid.NewGuid():N}";
                        e.Temporary = true;
                    });

                // One queue per deployment (named after its event store), shared by its instances.
                bus.AddIdempotentConsumer<CarePlanDraftedConsumer>()
                    .Endpoint(e =>
                    {
                        e.Name = $"{schema}-care-plan-drafted";
                        e.ConcurrentMessageLimit = carePlanConcurrency;
                    });
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
                store.InlineProjections.Add(readModel);
            });

        var services = builder.Services;
        services.Configure<KnowledgeServiceOptions>(builder.Configuration.GetSection("Knowledge"));
        services.AddSingleton(readModel);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IResourceOwnership, AssessmentOwnership>();
        services.AddPlatformGrpcClient<KnowledgeService.KnowledgeServiceClient>(sp => sp.GetRequiredService<IOptions<KnowledgeServiceOptions>>().Value.Address);
        services.AddPlatformGrpcClient<AuditService.AuditServiceClient>(sp => sp.GetRequiredService<IOptions<CarePlanServiceOptions>>().Value.Address);
        services.AddSingleton<KnowledgeCatalog>();
        services.AddSingleton<AssessmentNotes>();
        services.AddSingleton<IOutboxMessageOpener, TriageDecidedNotesOpener>();
        services.AddOptions<SubmissionBatching>().BindConfiguration(SubmissionBatching.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<SubmissionBatching>>().Value);
        services.AddSingleton<AssessmentRepository>();
        services.AddSingleton<NotesEraser>();
        services.AddSingleton<AssessmentBootstrapper>();
        services.AddHostedService(sp => sp.GetRequiredService<AssessmentBootstrapper>());
        services.AddHealthChecks().AddCheck<AssessmentReadinessCheck>("assessment", tags: ["ready"]);
        services.AddSingleton<AssessmentGrpcService>();

        services.Configure<CarePlanServiceOptions>(builder.Configuration.GetSection("CarePlan"));
        services.AddSingleton<IEventNotesReader>(sp => sp.GetRequiredService<AssessmentNotes>());
        services.AddAuditStore(AssessmentStream.StreamId);
        services.AddSingleton<AssessmentAuditReader>();
        services.AddSingleton<CarePlanTraceSource>();
        services.AddSingleton<AuditGrpcService>();

        var validators = new AssessmentRequestValidators();
        services.AddSingleton<IRequestValidator<SubmitAssessmentRequest>>(validators);
        services.AddSingleton<IRequestValidator<GetAssessmentRequest>>(validators);
        services.AddSingleton<IRequestValidator<ListAssessmentsRequest>>(validators);
        services.AddSingleton<IRequestValidator<OverrideTriageRequest>>(validators);
        services.AddSingleton<IRequestValidator<EraseClinicalNotesRequest>>(validators);
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
