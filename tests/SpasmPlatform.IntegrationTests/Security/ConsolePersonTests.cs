using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.Contracts.Calling;
using SpasmPlatform.IntegrationTests.Infrastructure;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.IntegrationTests.Security;

/// <summary>
/// The web console calls with its own certificate and names the signed-in person in headers. The person is authorised
/// as if calling directly (role matrix, clinic isolation, acting in their own name), both the console and the person
/// are recorded, and a person named by anyone but the console is refused. Each refusal is checked on its own.
/// </summary>
public sealed class ConsolePersonTests(SecurePlatform platform) : IClassFixture<SecurePlatform>
{
    private const string Pia = "pia.physio";

    [Fact]
    public async Task A_physiotherapist_through_the_console_reviews_her_clinics_plan_and_both_are_recorded()
    {
        var (assessment, plan) = await PlanAsync(SecurePlatform.ClinicA);
        var plans = CarePlans(Person(Pia, Roles.Physio, SecurePlatform.ClinicA));

        var listed = await plans.Client.ListCarePlansAsync(new ListCarePlansRequest { ClinicId = SecurePlatform.ClinicA }, plans.Headers);
        Assert.Contains(listed.CarePlans, p => p.CarePlanId == plan.CarePlanId);
        var approved = await plans.Client.ApproveCarePlanAsync(new ApproveCarePlanRequest { CarePlanId = plan.CarePlanId, ExpectedVersion = plan.Version, PhysiotherapistId = Pia }, plans.Headers);
        Assert.Equal(CarePlanStatus.Approved, approved.Status);

        using var auditor = platform.Channel(platform.CarePlan, platform.Auditor);
        var history = await ReadAllAsync(new AuditService.AuditServiceClient(auditor).StreamHistory(new StreamHistoryRequest { AssessmentId = assessment.AssessmentId }));
        var review = Assert.Single(history, e => e.EventType == "care_plan.approved");
        Assert.Equal(Pia, review.Actor);
        Assert.Equal($"physiotherapist:clinic-a/{Pia} via console:web-console", review.Caller);

        var log = await AccessEventsAsync(platform.CarePlan, new ListAccessEventsRequest { Caller = $"physiotherapist:clinic-a/{Pia} via console:web-console" });
        var read = Assert.Single(log, e => e.Method.EndsWith("/ListCarePlans", StringComparison.Ordinal));
        Assert.Equal("OK", read.Outcome);
        Assert.Equal(["physiotherapist"], read.Roles);
        Assert.Equal(SecurePlatform.ClinicA, read.CallerClinicId);
    }

    [Fact]
    public async Task A_person_through_the_console_is_held_to_their_clinic()
    {
        var (_, plan) = await PlanAsync(SecurePlatform.ClinicA);
        var other = CarePlans(Person("olaf.physio", Roles.Physio, SecurePlatform.ClinicB));

        var list = await Assert.ThrowsAsync<RpcException>(async () => await other.Client.ListCarePlansAsync(new ListCarePlansRequest { ClinicId = SecurePlatform.ClinicA }, other.Headers));
        Assert.Equal(StatusCode.PermissionDenied, list.StatusCode);
        var read = await Assert.ThrowsAsync<RpcException>(async () => await other.Client.GetCarePlanAsync(new GetCarePlanRequest { CarePlanId = plan.CarePlanId }, other.Headers));
        Assert.Equal(StatusCode.NotFound, read.StatusCode);
        var approve = await Assert.ThrowsAsync<RpcException>(async () => await other.Client.ApproveCarePlanAsync(new ApproveCarePlanRequest { CarePlanId = plan.CarePlanId, ExpectedVersion = plan.Version, PhysiotherapistId = "olaf.physio" }, other.Headers));
        Assert.Equal(StatusCode.NotFound, approve.StatusCode);

        var refused = await AccessEventsAsync(platform.CarePlan, new ListAccessEventsRequest { Caller = "physiotherapist:clinic-b/olaf.physio via console:web-console", RefusedOnly = true });
        Assert.Contains(refused, e => e.Method.EndsWith("/ListCarePlans", StringComparison.Ordinal) && e.Outcome == "PERMISSION_DENIED");
    }

    [Fact]
    public async Task A_person_through_the_console_gets_no_more_than_their_role_allows()
    {
        var (assessment, plan) = await PlanAsync(SecurePlatform.ClinicA);

        // A physiotherapist may not read assessments (a clinic system's), nor audit.
        var physio = Person(Pia, Roles.Physio, SecurePlatform.ClinicA);
        using var toAssessment = platform.Channel(platform.Assessment, platform.WebConsole);
        var getAssessment = await Assert.ThrowsAsync<RpcException>(async () => await new AssessmentService.AssessmentServiceClient(toAssessment).GetAssessmentAsync(new GetAssessmentRequest { AssessmentId = assessment.AssessmentId }, physio));
        Assert.Equal(StatusCode.PermissionDenied, getAssessment.StatusCode);
        using var toCarePlan = platform.Channel(platform.CarePlan, platform.WebConsole);
        var verify = await Assert.ThrowsAsync<RpcException>(async () => await new AuditService.AuditServiceClient(toCarePlan).VerifyIntegrityAsync(new VerifyIntegrityRequest(), physio));
        Assert.Equal(StatusCode.PermissionDenied, verify.StatusCode);

        // An auditor reads across clinics but changes nothing.
        var auditor = Person("audrey.auditor", Roles.Auditor, null);
        var verified = await new AuditService.AuditServiceClient(toCarePlan).VerifyIntegrityAsync(new VerifyIntegrityRequest { AssessmentId = assessment.AssessmentId }, auditor);
        Assert.True(verified.Intact);
        var approve = await Assert.ThrowsAsync<RpcException>(async () => await new CarePlanService.CarePlanServiceClient(toCarePlan).ApproveCarePlanAsync(new ApproveCarePlanRequest { CarePlanId = plan.CarePlanId, ExpectedVersion = plan.Version, PhysiotherapistId = "audrey.auditor" }, auditor));
        Assert.Equal(StatusCode.PermissionDenied, approve.StatusCode);

        // A data controller erases notes but does not read plans.
        var controller = Person("dora.dpo", Roles.DataController, SecurePlatform.ClinicA);
        var list = await Assert.ThrowsAsync<RpcException>(async () => await new CarePlanService.CarePlanServiceClient(toCarePlan).ListCarePlansAsync(new ListCarePlansRequest { ClinicId = SecurePlatform.ClinicA }, controller));
        Assert.Equal(StatusCode.PermissionDenied, list.StatusCode);
    }

    [Fact]
    public async Task A_person_acts_only_in_their_own_name()
    {
        var (assessment, plan) = await PlanAsync(SecurePlatform.ClinicA);
        var plans = CarePlans(Person(Pia, Roles.Physio, SecurePlatform.ClinicA));
        var approve = await Assert.ThrowsAsync<RpcException>(async () => await plans.Client.ApproveCarePlanAsync(new ApproveCarePlanRequest { CarePlanId = plan.CarePlanId, ExpectedVersion = plan.Version, PhysiotherapistId = "someone.else" }, plans.Headers));
        Assert.Equal(StatusCode.PermissionDenied, approve.StatusCode);
        Assert.Contains("may not act as 'someone.else'", approve.Status.Detail, StringComparison.Ordinal);

        using var toAssessment = platform.Channel(platform.Assessment, platform.WebConsole);
        var clinician = Person("carl.clinician", Roles.ClinicSystem, SecurePlatform.ClinicA);
        var change = await Assert.ThrowsAsync<RpcException>(async () => await new AssessmentService.AssessmentServiceClient(toAssessment).OverrideTriageAsync(new OverrideTriageRequest
        {
            AssessmentId = assessment.AssessmentId, ExpectedVersion = assessment.Version, Urgency = Common.V1.Urgency.Emergency, ClinicianId = "dr.other", Reason = "test",
        }, clinician));
        Assert.Equal(StatusCode.PermissionDenied, change.StatusCode);

        // The plan is untouched by either attempt.
        var current = await plans.Client.GetCarePlanAsync(new GetCarePlanRequest { CarePlanId = plan.CarePlanId }, plans.Headers);
        Assert.Equal(plan.Version, current.Version);
    }

    [Fact]
    public async Task The_console_as_itself_may_call_nothing()
    {
        using var toCarePlan = platform.Channel(platform.CarePlan, platform.WebConsole);
        var list = await Assert.ThrowsAsync<RpcException>(async () => await new CarePlanService.CarePlanServiceClient(toCarePlan).ListCarePlansAsync(new ListCarePlansRequest { ClinicId = SecurePlatform.ClinicA }));
        Assert.Equal(StatusCode.PermissionDenied, list.StatusCode);
        using var toKnowledge = platform.Channel(platform.Knowledge, platform.WebConsole);
        var versions = await Assert.ThrowsAsync<RpcException>(async () => await new KnowledgeService.KnowledgeServiceClient(toKnowledge).ListVersionsAsync(new ListVersionsRequest()));
        Assert.Equal(StatusCode.PermissionDenied, versions.StatusCode);
    }

    public static TheoryData<string> NotTheConsole => ["clinic-system", "physiotherapist", "auditor", "service"];

    [Theory]
    [MemberData(nameof(NotTheConsole))]
    public async Task A_person_named_by_anyone_but_the_console_is_refused(string system)
    {
        var certificate = system switch
        {
            "clinic-system" => platform.ClinicSystem(SecurePlatform.ClinicA),
            "physiotherapist" => platform.Physiotherapist(SecurePlatform.ClinicA),
            "auditor" => platform.Auditor,
            _ => platform.ServiceIdentity,
        };

        // Even naming the very role and clinic the certificate has: only the console speaks for people.
        using var channel = platform.Channel(platform.CarePlan, certificate);
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await new CarePlanService.CarePlanServiceClient(channel)
            .ListCarePlansAsync(new ListCarePlansRequest { ClinicId = SecurePlatform.ClinicA }, Person(Pia, Roles.Physio, SecurePlatform.ClinicA)));
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Contains("only the console may call for a person", refused.Status.Detail, StringComparison.Ordinal);

        var log = await AccessEventsAsync(platform.CarePlan, new ListAccessEventsRequest { RefusedOnly = true });
        Assert.Contains(log, e => e.Reason.Contains("only the console may call for a person", StringComparison.Ordinal) && !e.Caller.Contains(Pia, StringComparison.Ordinal) && e.Caller.StartsWith(system, StringComparison.Ordinal));
    }

    public static TheoryData<string?, string?, string?, string> BadPeople => new()
    {
        { null, "physiotherapist", "clinic-a", "names no person" },
        { "", "physiotherapist", "clinic-a", "names no person" },
        { new string('x', 200), "physiotherapist", "clinic-a", "names no person" },
        { "pia", null, "clinic-a", "which no person holds" },
        { "pia", "service", null, "role 'service', which no person holds" },
        { "pia", "console", null, "role 'console', which no person holds" },
        { "pia", "superuser", null, "role 'superuser', which no person holds" },
        { "pia", "physiotherapist", null, "names no clinic" },
    };

    [Theory]
    [MemberData(nameof(BadPeople))]
    public async Task A_person_the_console_names_badly_is_unauthenticated(string? name, string? role, string? clinic, string reason)
    {
        var headers = new Metadata();
        if (name is not null)
        {
            headers.Add(PersonHeaders.Name, name);
        }

        if (role is not null)
        {
            headers.Add(PersonHeaders.Role, role);
        }

        if (clinic is not null)
        {
            headers.Add(PersonHeaders.Clinic, clinic);
        }

        using var channel = platform.Channel(platform.CarePlan, platform.WebConsole);
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await new CarePlanService.CarePlanServiceClient(channel)
            .ListCarePlansAsync(new ListCarePlansRequest { ClinicId = SecurePlatform.ClinicA }, headers));
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Contains(reason, refused.Status.Detail, StringComparison.Ordinal);
    }

    private static Metadata Person(string name, string role, string? clinic)
    {
        var headers = new Metadata { { PersonHeaders.Name, name }, { PersonHeaders.Role, role } };
        if (clinic is not null)
        {
            headers.Add(PersonHeaders.Clinic, clinic);
        }

        return headers;
    }

    private (CarePlanService.CarePlanServiceClient Client, Metadata Headers) CarePlans(Metadata person) =>
        (new CarePlanService.CarePlanServiceClient(platform.Channel(platform.CarePlan, platform.WebConsole)), person);

    private async Task<(SpasmPlatform.Assessment.V1.Assessment Assessment, SpasmPlatform.CarePlan.V1.CarePlan Plan)> PlanAsync(string clinic)
    {
        var submission = JsonParser.Default.Parse<SubmitAssessmentRequest>(File.ReadAllText(Path.Combine(Platform.RepoRoot, "samples", "assessments", "v01-lifting-strain.json")));
        submission.ClinicId = clinic;
        submission.RequestId = $"req-{Guid.NewGuid():N}";
        submission.PatientRef = $"p-{Guid.NewGuid():N}"[..14];
        using var ehr = platform.Channel(platform.Assessment, platform.ClinicSystem(clinic));
        var assessment = (await new AssessmentService.AssessmentServiceClient(ehr).SubmitAssessmentAsync(submission)).Assessment;

        using var physio = platform.Channel(platform.CarePlan, platform.Physiotherapist(clinic));
        var plans = new CarePlanService.CarePlanServiceClient(physio);
        SpasmPlatform.CarePlan.V1.CarePlan? found = null;
        await Eventually.WaitAsync(async () =>
        {
            try
            {
                found = await plans.GetCarePlanAsync(new GetCarePlanRequest { AssessmentId = assessment.AssessmentId });
                return true;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "the care plan to be drafted");
        return (assessment, found!);
    }

    private async Task<List<AccessEvent>> AccessEventsAsync(ServiceProcess service, ListAccessEventsRequest request)
    {
        request.From = Timestamp.FromDateTimeOffset(platform.StartedAt);
        using var channel = platform.Channel(service, platform.Auditor);
        return [.. (await new AuditService.AuditServiceClient(channel).ListAccessEventsAsync(request)).Events];
    }

    private static async Task<List<HistoryEvent>> ReadAllAsync(AsyncServerStreamingCall<HistoryEvent> call)
    {
        using (call)
        {
            var events = new List<HistoryEvent>();
            while (await call.ResponseStream.MoveNext())
            {
                events.Add(call.ResponseStream.Current);
            }

            return events;
        }
    }

    private static class Roles
    {
        public const string Physio = "physiotherapist";
        public const string Auditor = "auditor";
        public const string ClinicSystem = "clinic-system";
        public const string DataController = "data-controller";
    }
}
