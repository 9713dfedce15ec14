using Microsoft.Extensions.DependencyInjection;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Integrity;
using Grpc.Core;
using SpasmPlatform.ServiceDefaults;
using SpasmPlatform.ServiceDefaults.Grpc;

namespace SpasmPlatform.Audit;

public static class AuditServiceCollectionExtensions
{
    /// <summary>
    /// The shared audit pieces over this service's store; <paramref name="streamOfAssessment"/> names an assessment's
    /// stream. An <see cref="IEventNotesReader"/> in the container opens the notes of every history entry served.
    /// </summary>
    public static IServiceCollection AddAuditStore(this IServiceCollection services, Func<string, string> streamOfAssessment)
    {
        services.AddSingleton<AccessLogQuery>();
        services.AddSingleton(sp => new AuditStore(
            sp.GetRequiredService<MartenEventStore>(), sp.GetRequiredService<IntegrityVerifier>(), sp.GetRequiredService<AccessLogQuery>(), streamOfAssessment,
            sp.GetService<IEventNotesReader>()));
        services.AddGrpcErrors(errors => errors
            .Map<AuditNotFoundException>(StatusCode.NotFound)
            .Map<AuditRangeException>(StatusCode.OutOfRange));
        services.AddRequestValidators(new AuditRequestValidators());
        return services;
    }
}
