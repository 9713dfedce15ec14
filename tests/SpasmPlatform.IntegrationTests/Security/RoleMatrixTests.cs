using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Net.Client;
using Grpc.Core;

namespace SpasmPlatform.IntegrationTests.Security;

/// <summary>
/// Every role against every RPC of every service, with the matrix written out here from the issue's rules (not read
/// from the services' own table): an RPC added without deciding who may call it fails this test.
/// </summary>
public sealed class RoleMatrixTests(SecurePlatform platform) : IClassFixture<SecurePlatform>
{
    private const string ClinicSystem = "clinic-system";
    private const string Physio = "physiotherapist";
    private const string Auditor = "auditor";
    private const string Service = "service";
    private const string Controller = "data-controller";
    private const string Editor = "knowledge-editor";

    private static readonly string[] AllRoles = [ClinicSystem, Physio, Auditor, Service, Controller, Editor];

    private static readonly Dictionary<string, string[]> Expected = new(StringComparer.Ordinal)
    {
        ["spasm.assessment.v1.AssessmentService/SubmitAssessment"] = [ClinicSystem],
        ["spasm.assessment.v1.AssessmentService/GetAssessment"] = [ClinicSystem],
        ["spasm.assessment.v1.AssessmentService/ListAssessments"] = [ClinicSystem],
        ["spasm.assessment.v1.AssessmentService/OverrideTriage"] = [ClinicSystem],
        ["spasm.assessment.v1.AssessmentService/EraseClinicalNotes"] = [Controller],
        ["spasm.careplan.v1.CarePlanService/GetCarePlan"] = [Physio],
        ["spasm.careplan.v1.CarePlanService/ListCarePlans"] = [Physio],
        ["spasm.careplan.v1.CarePlanService/ApproveCarePlan"] = [Physio],
        ["spasm.careplan.v1.CarePlanService/AmendCarePlan"] = [Physio],
        ["spasm.careplan.v1.CarePlanService/RejectCarePlan"] = [Physio],
        ["spasm.audit.v1.AuditService/GetDecisionTrace"] = [Auditor, Service],
        ["spasm.audit.v1.AuditService/StreamHistory"] = [Auditor],
        ["spasm.audit.v1.AuditService/ReplayDecision"] = [Auditor],
        ["spasm.audit.v1.AuditService/VerifyIntegrity"] = [Auditor],
        ["spasm.audit.v1.AuditService/GetStateAt"] = [Auditor],
        ["spasm.audit.v1.AuditService/ListAccessEvents"] = [Auditor],
        ["spasm.audit.v1.AuditService/FindAssessments"] = [Auditor],
        ["spasm.knowledge.v1.KnowledgeService/GetRuleSet"] = AllRoles,
        ["spasm.knowledge.v1.KnowledgeService/ListConditions"] = AllRoles,
        ["spasm.knowledge.v1.KnowledgeService/GetCondition"] = AllRoles,
        ["spasm.knowledge.v1.KnowledgeService/ListInterventions"] = AllRoles,
        ["spasm.knowledge.v1.KnowledgeService/Search"] = AllRoles,
        ["spasm.knowledge.v1.KnowledgeService/ListVersions"] = AllRoles,
        ["spasm.knowledge.v1.KnowledgeService/GetKnowledgeBase"] = AllRoles,
        ["spasm.knowledge.v1.KnowledgeService/PublishVersion"] = [Editor],
        ["grpc.health.v1.Health/Check"] = AllRoles,
        ["grpc.health.v1.Health/Watch"] = AllRoles,
    };

    [Fact]
    public async Task Every_role_reaches_exactly_the_rpcs_the_matrix_allows()
    {
        var identities = new Dictionary<string, X509Certificate2>(StringComparer.Ordinal)
        {
            [ClinicSystem] = platform.ClinicSystem(SecurePlatform.ClinicA),
            [Physio] = platform.Physiotherapist(SecurePlatform.ClinicA),
            [Auditor] = platform.Auditor,
            [Service] = platform.ServiceIdentity,
            [Controller] = platform.DataController(SecurePlatform.ClinicA),
            [Editor] = platform.KnowledgeEditor,
        };

        var mismatches = new List<string>();
        var calls = 0;
        foreach (var (process, services) in Targets())
        {
            foreach (var method in services.SelectMany(s => s.Methods).Where(m => !m.IsClientStreaming))
            {
                var name = $"{method.Service.FullName}/{method.Name}";
                Assert.True(Expected.TryGetValue(name, out var allowed), $"{name} is not in the role matrix: decide who may call it.");
                foreach (var (role, certificate) in identities)
                {
                    using var channel = platform.Channel(process, certificate);
                    var status = await CallAsync(channel, method);
                    calls++;
                    var refused = status is StatusCode.PermissionDenied or StatusCode.Unauthenticated;
                    if (allowed.Contains(role) == refused)
                    {
                        mismatches.Add($"{role} -> {name}: {status} (expected {(refused ? "allowed" : "PERMISSION_DENIED")})");
                    }
                }

                using var anonymous = platform.Channel(process, null);
                var anonymousStatus = await CallAsync(anonymous, method);
                var expectedAnonymous = method.Service.FullName == "grpc.health.v1.Health" ? StatusCode.OK : StatusCode.Unauthenticated;
                if (anonymousStatus != expectedAnonymous)
                {
                    mismatches.Add($"no certificate -> {name}: {anonymousStatus} (expected {expectedAnonymous})");
                }
            }
        }

        Assert.True(mismatches.Count == 0, string.Join('\n', mismatches));
        Assert.True(calls > 150, $"only {calls} calls were made");
    }

    private IEnumerable<(Infrastructure.ServiceProcess Process, ServiceDescriptor[] Services)> Targets()
    {
        var health = global::Grpc.Health.V1.HealthReflection.Descriptor.Services[0];
        var audit = SpasmPlatform.Audit.V1.AuditReflection.Descriptor.Services[0];
        yield return (platform.Assessment, [SpasmPlatform.Assessment.V1.AssessmentReflection.Descriptor.Services[0], audit, health]);
        yield return (platform.CarePlan, [SpasmPlatform.CarePlan.V1.CareplanReflection.Descriptor.Services[0], audit, health]);
        yield return (platform.Knowledge, [SpasmPlatform.Knowledge.V1.KnowledgeReflection.Descriptor.Services[0], health]);
    }

    /// <summary>Calls any unary or server-streaming method with an empty request; the status it ends with.</summary>
    private static async Task<StatusCode> CallAsync(GrpcChannel channel, MethodDescriptor method)
    {
        if (method.Service.FullName == "grpc.health.v1.Health" && method.Name == "Watch")
        {
            return StatusCode.OK;
        }

        var invoke = typeof(RoleMatrixTests).GetMethod(nameof(InvokeAsync), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(method.InputType.ClrType, method.OutputType.ClrType);
        return await (Task<StatusCode>)invoke.Invoke(null, [channel, method])!;
    }

    private static async Task<StatusCode> InvokeAsync<TRequest, TResponse>(GrpcChannel channel, MethodDescriptor descriptor)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var method = new Method<TRequest, TResponse>(
            descriptor.IsServerStreaming ? MethodType.ServerStreaming : MethodType.Unary,
            descriptor.Service.FullName,
            descriptor.Name,
            Marshallers.Create(r => r.ToByteArray(), new MessageParser<TRequest>(() => new TRequest()).ParseFrom),
            Marshallers.Create(r => r.ToByteArray(), new MessageParser<TResponse>(() => new TResponse()).ParseFrom));
        var options = new CallOptions(deadline: DateTime.UtcNow.AddSeconds(20));
        try
        {
            if (descriptor.IsServerStreaming)
            {
                using var stream = channel.CreateCallInvoker().AsyncServerStreamingCall(method, null, options, new TRequest());
                while (await stream.ResponseStream.MoveNext())
                {
                }
            }
            else
            {
                using var call = channel.CreateCallInvoker().AsyncUnaryCall(method, null, options, new TRequest());
                await call.ResponseAsync;
            }

            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }
}
