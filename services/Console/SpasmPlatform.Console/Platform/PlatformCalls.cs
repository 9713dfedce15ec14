using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Components.Authorization;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.Console.Identity;
using SpasmPlatform.Contracts.Calling;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.Console.Platform;

/// <summary>
/// The services' clients for the person signed in to this circuit: every call carries the person in
/// <see cref="PersonHeaders"/>, so the services authorise it as that person and never as the console.
/// </summary>
public sealed class PlatformCalls(ServiceChannels channels, AuthenticationStateProvider authentication)
{
    public async Task<PersonClients> AsPersonAsync()
    {
        var state = await authentication.GetAuthenticationStateAsync();
        var person = Person.From(state.User) ?? throw new NotSignedInException();
        return new PersonClients(person, channels);
    }
}

public sealed class PersonClients
{
    internal PersonClients(Person person, ServiceChannels channels)
    {
        Person = person;
        var headers = new Metadata { { PersonHeaders.Name, person.Id }, { PersonHeaders.Role, person.ServiceRole } };
        if (person.Clinic is not null)
        {
            headers.Add(PersonHeaders.Clinic, person.Clinic);
        }

        CallInvoker For(Grpc.Net.Client.GrpcChannel channel) => channel.WithDefaultDeadline(TimeSpan.FromSeconds(20)).Intercept(metadata =>
        {
            foreach (var header in headers)
            {
                metadata.Add(header);
            }

            return metadata;
        });

        Assessments = new AssessmentService.AssessmentServiceClient(For(channels.Assessment));
        AssessmentAudit = new AuditService.AuditServiceClient(For(channels.Assessment));
        CarePlans = new CarePlanService.CarePlanServiceClient(For(channels.CarePlan));
        CarePlanAudit = new AuditService.AuditServiceClient(For(channels.CarePlan));
        Knowledge = new KnowledgeService.KnowledgeServiceClient(For(channels.Knowledge));
    }

    public Person Person { get; }

    public AssessmentService.AssessmentServiceClient Assessments { get; }

    public AuditService.AuditServiceClient AssessmentAudit { get; }

    public CarePlanService.CarePlanServiceClient CarePlans { get; }

    public AuditService.AuditServiceClient CarePlanAudit { get; }

    public KnowledgeService.KnowledgeServiceClient Knowledge { get; }
}

public sealed class NotSignedInException() : InvalidOperationException("Nobody is signed in on this page.");
