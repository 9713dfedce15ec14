using SpasmPlatform.EventStore;
using Grpc.Core;
using SpasmPlatform.ServiceDefaults.Grpc;
using SpasmPlatform.Knowledge.Domain;
using SpasmPlatform.Knowledge.Loading;
using SpasmPlatform.Knowledge.Grpc;
using SpasmPlatform.Knowledge.Infrastructure;
using SpasmPlatform.Knowledge.V1;
using SpasmPlatform.ServiceDefaults;

namespace SpasmPlatform.Knowledge;

/// <summary>Everything the knowledge service adds to the shared host wiring.</summary>
public static class Extensions
{
    public const string Schema = "knowledge";

    public static WebApplicationBuilder AddKnowledgeService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults(
            new ServiceInfo("knowledge", 5102, StoresClinicalNotes: false, KnowledgeService.Descriptor.FullName),
            eventStoreSchema: Schema,
            configureOutbox: outbox => outbox.MessageTypes.Register<Integration.KnowledgeVersionPublished>(),
            configureEventStore: store =>
            {
                store.Types.Register<KnowledgeVersionPublished>(KnowledgeVersionPublished.EventType);
                var readModel = new KnowledgeReadModel(store.Schema);
                store.InlineProjections.Add(readModel);
                store.Tables.Add(readModel.CreateSql);
                builder.Services.AddSingleton(readModel);
            });

        var services = builder.Services;
        services.AddOptions<KnowledgeOptions>().BindConfiguration(KnowledgeOptions.Section);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<KnowledgeRepository>();
        services.AddSingleton<KnowledgeSearch>();
        services.AddStartupStep<BundledContentStep>();
        services.AddGrpcErrors(errors => errors
            .Map<KnowledgeNotFoundException>(StatusCode.NotFound)
            .Map<KnowledgeConflictException>(StatusCode.AlreadyExists)
            .Map<KnowledgeValidationException>(e => RichErrors.InvalidArgument(
                $"The knowledge content is invalid ({e.Errors.Count} problem(s)).",
                e.Errors.Select(error => ("files", error)))));
        services.AddSingleton<KnowledgeGrpcService>();

        services.AddRequestValidators(new KnowledgeRequestValidators());
        return builder;
    }

    public static WebApplication MapKnowledgeService(this WebApplication app)
    {
        app.MapServiceDefaults();
        app.MapGrpcService<KnowledgeGrpcService>();
        return app;
    }
}
