using System.Diagnostics;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SpasmPlatform.EventStore.Streams;
using Grpc.Core.Interceptors;
using Grpc.Core;
using SpasmPlatform.Contracts.Calling;
using SpasmPlatform.ServiceDefaults.Grpc;
using Status = Grpc.Core.Status;
using StatusCode = Grpc.Core.StatusCode;

namespace SpasmPlatform.ServiceDefaults.Security;

/// <summary>
/// Every call passes here before validation and the handler: who is calling (the client certificate), may that role
/// call this method (<see cref="AccessPolicy"/>), may it touch the clinic the request names or owns
/// (<see cref="IResourceOwnership"/>), and, for reads of patient data and for every refusal, a record in the access
/// log. Refusals are logged with the reason; the caller learns only what it needs to fix its own credentials.
/// </summary>
public sealed partial class AuthorizationInterceptor(
    SecuritySettings settings,
    ClientCertificateAuthenticator authenticator,
    AccessLog accessLog,
    TimeProvider clock,
    ILogger<AuthorizationInterceptor> logger) : Interceptor
{
    // A person's name and clinic become the actor and clinic ids of requests and events: they must fit as ids do.
    private const int MaxPersonLength = FieldRules.MaxIdLength;

    /// <summary>The request fields that name who acts: the event's actor.</summary>
    private static readonly string[] ActorFields = ["physiotherapist_id", "clinician_id", "requested_by"];

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var (caller, access) = await AdmitAsync(request as IMessage, context).ConfigureAwait(false);
        Stamp(caller);
        if (!access.ReadsPatientData)
        {
            return await continuation(request, context).ConfigureAwait(false);
        }

        TResponse response;
        try
        {
            response = await continuation(request, context).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            await RecordAsync(context, caller, e.StatusCode, null, request as IMessage, null).ConfigureAwait(false);
            throw;
        }

        // Written before the data leaves: a read the log cannot record is a read that does not happen.
        await RecordAsync(context, caller, context.Status.StatusCode, null, request as IMessage, response as IMessage).ConfigureAwait(false);
        return response;
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var (caller, access) = await AdmitAsync(request as IMessage, context).ConfigureAwait(false);
        Stamp(caller);
        if (access.ReadsPatientData)
        {
            // Recorded before the first message, with what the request asked for: a stream may be long or cut short.
            await RecordAsync(context, caller, StatusCode.OK, "stream opened", request as IMessage, null).ConfigureAwait(false);
        }

        await continuation(request, responseStream, context).ConfigureAwait(false);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Stamp((await AdmitAsync(null, context).ConfigureAwait(false)).Caller);
        return await continuation(requestStream, context).ConfigureAwait(false);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Stamp((await AdmitAsync(null, context).ConfigureAwait(false)).Caller);
        await continuation(requestStream, responseStream, context).ConfigureAwait(false);
    }

    private async Task<(CallerIdentity Caller, MethodAccess Access)> AdmitAsync(IMessage? request, ServerCallContext context)
    {
        var access = AccessPolicy.For(context.Method);
        if (settings.HealthPort is { } healthPort && context.GetHttpContext().Connection.LocalPort == healthPort && access is not { Anonymous: true })
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "This port serves health checks only."));
        }

        if (access is { Anonymous: true })
        {
            return (CallerIdentity.Development, access);
        }

        CallerIdentity caller;
        if (settings.Mode == SecurityMode.Development)
        {
            caller = CallerIdentity.Development;
        }
        else
        {
            var authentication = authenticator.Authenticate(context.GetHttpContext().Connection.ClientCertificate);
            if (authentication.Identity is null)
            {
                Unauthenticated(context.Method, context.Peer, authentication.Failure!);
                throw RichErrors.Refused(Google.Rpc.Code.Unauthenticated, $"Not authenticated: {authentication.Failure}.", "CLIENT_CERTIFICATE_REJECTED");
            }

            caller = authentication.Identity;
        }

        if (PersonNamedBy(context) is { } person)
        {
            caller = await ActForPersonAsync(context, caller, person, request).ConfigureAwait(false);
        }

        context.SetCaller(caller);

        if (access is null || !caller.HasAnyRole(access.Roles))
        {
            var allowed = access is null ? "no role" : string.Join(", ", access.Roles.Order(StringComparer.Ordinal));
            await DenyAsync(context, caller, request, $"role {string.Join('+', caller.Roles.Order(StringComparer.Ordinal))} may not call {context.Method} (allowed: {allowed})", "ROLE_NOT_ALLOWED").ConfigureAwait(false);
        }

        // A person acts in their own name only: the console cannot sign a review or an override as someone else.
        if (caller.Via is not null && request is not null && !access!.ReadsPatientData)
        {
            foreach (var field in ActorFields)
            {
                if (RequestFields.TopLevel(request, field) is { Length: > 0 } actor && !string.Equals(actor, caller.Name, StringComparison.Ordinal))
                {
                    await DenyAsync(context, caller, request, $"'{caller.Name}' may not act as '{actor}' ({field})", "ACTOR_NOT_PERSON").ConfigureAwait(false);
                }
            }
        }

        if (caller.ClinicId is { } own && request is not null)
        {
            if (RequestFields.TopLevel(request, RequestFields.ClinicId) is { Length: > 0 } named && !caller.CanAccessClinic(named))
            {
                await DenyAsync(context, caller, request, $"the caller acts for clinic '{own}' and may not use clinic '{named}'", "OTHER_CLINIC").ConfigureAwait(false);
            }

            var ownership = context.GetHttpContext().RequestServices.GetService<IResourceOwnership>();
            if (ownership is not null
                && await ownership.OwningClinicAsync(request, context.CancellationToken).ConfigureAwait(false) is { } owner
                && !caller.CanAccessClinic(owner))
            {
                // NOT_FOUND, as for an id that does not exist: another clinic's records are not even confirmed to exist.
                await RecordAsync(context, caller, StatusCode.NotFound, $"record of clinic '{owner}' requested by clinic '{own}'", request, null).ConfigureAwait(false);
                CrossClinic(context.Method, caller.Describe(), owner);
                throw new RpcException(new Status(StatusCode.NotFound, "No such record in your clinic."));
            }
        }

        return (caller, access!);
    }

    private static (string? Name, string? Role, string? Clinic)? PersonNamedBy(ServerCallContext context)
    {
        // From the HTTP request, as CorrelationIds does: ServerCallContext.RequestHeaders decodes every header.
        var headers = context.GetHttpContext().Request.Headers;
        string? Value(string key) => headers.TryGetValue(key, out var value) ? value.ToString() : null;
        var (name, role, clinic) = (Value(PersonHeaders.Name), Value(PersonHeaders.Role), Value(PersonHeaders.Clinic));
        return name is null && role is null && clinic is null ? null : (name, role, clinic);
    }

    /// <summary>
    /// The person the console calls for, authorised from here on exactly as a direct caller with their role and clinic
    /// would be. Anyone but the console naming a person is refused, whoever they name.
    /// </summary>
    private async Task<CallerIdentity> ActForPersonAsync(ServerCallContext context, CallerIdentity system, (string? Name, string? Role, string? Clinic) person, IMessage? request)
    {
        if (!system.Roles.Contains(Roles.Console))
        {
            await DenyAsync(context, system, request, $"only the console may call for a person, and {system.Describe()} is not the console", "PERSON_FROM_NON_CONSOLE").ConfigureAwait(false);
        }

        var problem = person switch
        {
            { Name: null or { Length: 0 or > MaxPersonLength } } => "names no person (or a name too long)",
            { Role: var role } when role is null || !Roles.People.Contains(role) => $"gives the person the role '{role}', which no person holds",
            { Role: { } role, Clinic: null or { Length: 0 } } when Roles.ClinicBound.Contains(role) => $"names no clinic for the {role} '{person.Name}'",
            { Clinic.Length: > MaxPersonLength } => "names a clinic too long",
            _ => null,
        };
        if (problem is not null)
        {
            Unauthenticated(context.Method, context.Peer, $"the console {problem}");
            throw RichErrors.Refused(Google.Rpc.Code.Unauthenticated, $"Not authenticated: the console {problem}.", "PERSON_INVALID");
        }

        var clinicBound = Roles.ClinicBound.Contains(person.Role!);
        return new CallerIdentity(person.Name!, new HashSet<string>(StringComparer.Ordinal) { person.Role! }, clinicBound ? person.Clinic : null, system.Thumbprint)
        {
            Via = system.IsDevelopment ? CallerIdentity.DevelopmentName : system.Describe(),
        };
    }

    /// <summary>
    /// Here, not inside <see cref="AdmitAsync"/>: an async-local set in an awaited method is undone when it returns,
    /// and the handler runs in the flow of the method that calls it.
    /// </summary>
    private static void Stamp(CallerIdentity caller) => AmbientCaller.Set(caller.IsDevelopment ? null : caller.Describe());

    private async Task DenyAsync(ServerCallContext context, CallerIdentity caller, IMessage? request, string reason, string code)
    {
        PermissionDenied(context.Method, caller.Describe(), context.Peer, reason);
        await RecordAsync(context, caller, StatusCode.PermissionDenied, reason, request, null).ConfigureAwait(false);
        throw RichErrors.Refused(Google.Rpc.Code.PermissionDenied, $"Permission denied: {reason}.", code);
    }

    private Task RecordAsync(ServerCallContext context, CallerIdentity caller, StatusCode outcome, string? reason, IMessage? request, IMessage? response)
    {
        var records = RequestFields.Collect(request);
        foreach (var (field, values) in RequestFields.Collect(response))
        {
            if (!records.TryGetValue(field, out var existing))
            {
                records[field] = existing = new SortedSet<string>(StringComparer.Ordinal);
            }

            existing.UnionWith(values);
        }

        var traceId = Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.TraceId.ToHexString() : null;
        var record = new AccessRecorded(
            clock.GetUtcNow(),
            caller.Describe(),
            [.. caller.Roles.Order(StringComparer.Ordinal)],
            caller.ClinicId,
            context.Method,
            StatusName(outcome),
            reason,
            records.ToDictionary(pair => pair.Key, pair => (IReadOnlyList<string>)[.. pair.Value], StringComparer.Ordinal),
            context.Peer,
            traceId);
        return accessLog.RecordAsync(record, CorrelationIds.For(context));
    }

    /// <summary>The proto name of a status ("PERMISSION_DENIED"), as other languages' tools print it.</summary>
    public static string StatusName(StatusCode code) =>
        code == StatusCode.OK ? "OK" : string.Concat(code.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString())).ToUpperInvariant();

    [LoggerMessage(EventId = 4010, Level = LogLevel.Warning, Message = "UNAUTHENTICATED {Method} from {Peer}: {Reason}")]
    private partial void Unauthenticated(string method, string peer, string reason);

    [LoggerMessage(EventId = 4030, Level = LogLevel.Warning, Message = "PERMISSION_DENIED {Method} for {Caller} from {Peer}: {Reason}")]
    private partial void PermissionDenied(string method, string caller, string peer, string reason);

    [LoggerMessage(EventId = 4031, Level = LogLevel.Warning, Message = "Cross-clinic request refused as NOT_FOUND: {Method} by {Caller} for a record of clinic {Owner}")]
    private partial void CrossClinic(string method, string caller, string owner);
}
