using System.Security.Claims;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Configuration;
using SpasmPlatform.Common.V1;
using SpasmPlatform.Console.Components.Pages;
using SpasmPlatform.Console.Identity;
using SpasmPlatform.Console.Platform;

namespace SpasmPlatform.Console.Tests;

public sealed class LogicTests
{
    [Fact]
    public void The_queue_puts_the_most_urgent_first_then_the_oldest()
    {
        var t0 = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
        SpasmPlatform.CarePlan.V1.CarePlan Plan(string id, Urgency urgency, int minutes) =>
            new() { CarePlanId = id, Urgency = urgency, DraftedAt = Timestamp.FromDateTimeOffset(t0.AddMinutes(minutes)) };

        var ordered = Queue.Order([Plan("routine-old", Urgency.Routine, 0), Plan("unset", Urgency.Unspecified, -10), Plan("emergency", Urgency.Emergency, 30),
            Plan("two-weeks-new", Urgency.Within2Weeks, 20), Plan("two-weeks-old", Urgency.Within2Weeks, 10)]);

        Assert.Equal(["emergency", "two-weeks-old", "two-weeks-new", "routine-old", "unset"], ordered.Select(p => p.CarePlanId));
    }

    [Fact]
    public void Service_errors_become_messages_without_internals()
    {
        var crash = new RpcException(new Status(StatusCode.Internal, "System.NullReferenceException: at SpasmPlatform.CarePlan.Handler.Approve() in /src/x.cs:line 12"));
        var message = ServiceErrors.Explain(crash, "care-plan service").Message;
        Assert.DoesNotContain("Exception", message, StringComparison.Ordinal);
        Assert.DoesNotContain("line 12", message, StringComparison.Ordinal);
        Assert.Contains("care-plan service", message, StringComparison.Ordinal);

        Assert.Equal(ProblemKind.Conflict, ServiceErrors.Explain(new RpcException(new Status(StatusCode.Aborted, "changed")), "x").Kind);
        Assert.Equal(ProblemKind.Conflict, ServiceErrors.Explain(new RpcException(new Status(StatusCode.FailedPrecondition, "already approved")), "x").Kind);
        Assert.Equal(ProblemKind.NotFound, ServiceErrors.Explain(new RpcException(new Status(StatusCode.NotFound, "no such")), "x").Kind);
        Assert.Equal("The assessment service is not answering right now. Try again in a moment.", ServiceErrors.Explain(new RpcException(new Status(StatusCode.Unavailable, "")), "assessment service").Message);
        Assert.Equal("Reason is required.", ServiceErrors.Explain(new RpcException(new Status(StatusCode.InvalidArgument, "Reason is required")), "x").Message);
    }

    [Fact]
    public void A_person_comes_from_the_configured_claims_and_a_role_or_clinic_missing_refuses_sign_in()
    {
        var oidc = new OidcSettings("https://idp.example", "console", null, "sub", "name", "groups", "org", new Dictionary<string, string> { ["Physio-Staff"] = "physiotherapist" });
        ClaimsPrincipal Principal(params (string Type, string Value)[] claims) => new(new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value)), "oidc"));

        var physio = SignIn.FromProvider(Principal(("sub", "u-17"), ("name", "Pia"), ("groups", "Staff"), ("groups", "Physio-Staff"), ("org", "clinic-a")), oidc, out _);
        Assert.Equal(new Person("u-17", "Pia", "physiotherapist", "clinic-a"), physio);
        Assert.Equal("physiotherapist", physio!.ServiceRole);

        var auditor = SignIn.FromProvider(Principal(("sub", "u-2"), ("groups", "auditor"), ("org", "clinic-a")), oidc, out _);
        Assert.Null(auditor!.Clinic);

        Assert.Null(SignIn.FromProvider(Principal(("sub", "u-3"), ("groups", "physiotherapist")), oidc, out var noClinic));
        Assert.Contains("names no clinic", noClinic, StringComparison.Ordinal);
        Assert.Null(SignIn.FromProvider(Principal(("sub", "u-4"), ("groups", "admin"), ("org", "clinic-a")), oidc, out var noRole));
        Assert.Contains("no role of the console", noRole, StringComparison.Ordinal);
        SignIn.FromProvider(Principal(("sub", "u-3"), ("groups", "physiotherapist")), oidc, out var noClinicRefusal, out _);
        SignIn.FromProvider(Principal(("sub", "u-4"), ("groups", "admin"), ("org", "clinic-a")), oidc, out var noRoleRefusal, out _);
        SignIn.FromProvider(Principal(("groups", "auditor")), oidc, out var noIdRefusal, out _);
        Assert.Equal((SignIn.Refusal.NoClinic, SignIn.Refusal.NoRole, SignIn.Refusal.NoId), (noClinicRefusal, noRoleRefusal, noIdRefusal));
        Assert.Equal("clinic-system", new Person("c", "C", ConsoleRoles.Clinician, "clinic-a").ServiceRole);
    }

    [Fact]
    public void A_session_ends_when_its_time_is_up_and_one_without_an_end_is_not_trusted()
    {
        var signedIn = new DateTimeOffset(2026, 12, 4, 9, 0, 0, TimeSpan.Zero);
        var user = DemoPeople.All[0].ToPrincipal("demo", signedIn.AddMinutes(30));

        Assert.True(SessionRevalidation.IsCurrent(user, signedIn.AddMinutes(29)));
        Assert.False(SessionRevalidation.IsCurrent(user, signedIn.AddMinutes(30)));
        Assert.False(SessionRevalidation.IsCurrent(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "x")], "forged")), signedIn));
        Assert.Equal(DemoPeople.All[0], Person.From(user));
    }

    [Fact]
    public void Development_sign_in_refuses_to_listen_off_loopback()
    {
        var problems = new List<string>();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Console:SignIn"] = "Development",
            ["Console:BindAddress"] = "0.0.0.0",
        }).Build();

        Assert.Null(ConsoleSettings.From(configuration, problems));
        Assert.Contains(problems, p => p.Contains("only listens on a loopback address", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Console:Services:CarePlan", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("serves HTTPS only", StringComparison.Ordinal));
    }

    [Fact]
    public void A_key_ring_is_an_absolute_directory_and_its_sealing_certificate_an_RSA_one()
    {
        var directory = Directory.CreateTempSubdirectory("spasm-keyring-settings-");
        try
        {
            // An EC certificate, like the platform's own: XML encryption cannot seal with it.
            using var ec = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
            using var certificate = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=ec", ec, System.Security.Cryptography.HashAlgorithmName.SHA256)
                .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            var pem = Path.Combine(directory.FullName, "ec.pem");
            var key = Path.Combine(directory.FullName, "ec-key.pem");
            File.WriteAllText(pem, certificate.ExportCertificatePem());
            File.WriteAllText(key, ec.ExportPkcs8PrivateKeyPem());

            var problems = new List<string>();
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Console:SignIn"] = "Development",
                ["Console:KeyRing"] = "relative/keys",
                ["Console:KeyRingCertificate"] = pem,
                ["Console:KeyRingCertificateKey"] = key,
            }).Build();
            Assert.Null(ConsoleSettings.From(configuration, problems));
            Assert.Contains(problems, p => p.Contains("Console:KeyRing 'relative/keys' must be an absolute directory path", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.Contains("must be an RSA certificate", StringComparison.Ordinal));

            problems.Clear();
            var withoutRing = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Console:SignIn"] = "Development",
                ["Console:KeyRingCertificate"] = pem,
                ["Console:KeyRingCertificateKey"] = key,
            }).Build();
            Assert.Null(ConsoleSettings.From(withoutRing, problems));
            Assert.Contains(problems, p => p.Contains("Console:KeyRing names none", StringComparison.Ordinal));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Production_sign_in_needs_the_identity_provider()
    {
        var problems = new List<string>();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Console:Oidc:Authority"] = "http://idp" }).Build();
        Assert.Null(ConsoleSettings.From(configuration, problems));
        Assert.Contains(problems, p => p.Contains("Console:Oidc:Authority", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("likely cause MUSCLE_STRAIN: score 0.75", "Cause of pain", AssessmentPage.Stage.Causes)]
    [InlineData("low risk", "Keele STarT Back stratification", AssessmentPage.Stage.StartBack)]
    [InlineData("advice", "Safety-net advice", AssessmentPage.Stage.Disposition)]
    [InlineData("suspect CES: emergency", "Saddle anaesthesia with urinary retention", AssessmentPage.Stage.RedFlags)]
    public void Each_rule_goes_to_its_part_of_the_flow(string outcome, string description, AssessmentPage.Stage stage) =>
        Assert.Equal(stage, AssessmentPage.StageOf(new SpasmPlatform.Assessment.V1.DecisionStep { Outcome = outcome, Description = description }));
}
