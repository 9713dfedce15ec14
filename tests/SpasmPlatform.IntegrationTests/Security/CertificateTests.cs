using SpasmPlatform.Contracts.Calling;
using Grpc.Core;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.IntegrationTests.Security;

/// <summary>Certificates that must not get in: each is told UNAUTHENTICATED with the reason, and the service logs it.</summary>
public sealed class CertificateTests(SecurePlatform platform) : IClassFixture<SecurePlatform>
{
    public static TheoryData<string, string> Refused => new()
    {
        { "expired", "expired on" },
        { "not-yet-valid", "is not valid before" },
        { "untrusted", "is not trusted" },
        { "no-role", "carries no role" },
        { "unknown-role", "unknown role 'superuser'" },
        { "clinic-role-without-clinic", "names no clinic" },
        { "none", "no client certificate was presented" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_refused_certificate_gets_unauthenticated_with_its_reason(string kind, string reason)
    {
        using var foreignCa = new TestPki("Some Other CA");
        var certificate = kind switch
        {
            "expired" => platform.Pki.Issue("CN=old-ehr, OU=clinic-system, O=clinic-a", notBefore: DateTimeOffset.UtcNow.AddDays(-30), notAfter: DateTimeOffset.UtcNow.AddDays(-1)).Certificate,
            "not-yet-valid" => platform.Pki.Issue("CN=early-ehr, OU=clinic-system, O=clinic-a", notBefore: DateTimeOffset.UtcNow.AddDays(1), notAfter: DateTimeOffset.UtcNow.AddDays(30)).Certificate,
            "untrusted" => foreignCa.Issue("CN=rogue-ehr, OU=clinic-system, O=clinic-a").Certificate,
            "no-role" => platform.Pki.Issue("CN=mystery, O=clinic-a").Certificate,
            "unknown-role" => platform.Pki.Issue("CN=admin, OU=superuser").Certificate,
            "clinic-role-without-clinic" => platform.Pki.Issue("CN=ehr, OU=clinic-system").Certificate,
            _ => null,
        };

        using var channel = platform.Channel(platform.Knowledge, certificate);
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await new KnowledgeService.KnowledgeServiceClient(channel).ListVersionsAsync(new ListVersionsRequest()));

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Contains(reason, refused.Status.Detail, StringComparison.Ordinal);
        await Infrastructure.Eventually.WaitAsync(
            () => platform.Knowledge.Output.Contains("UNAUTHENTICATED /spasm.knowledge.v1.KnowledgeService/ListVersions", StringComparison.Ordinal)
                && platform.Knowledge.Output.Contains(reason, StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "the refusal in the service's log");
    }

    [Fact]
    public async Task A_client_that_does_not_trust_the_server_never_sends_its_request()
    {
        using var foreignCa = new TestPki("Some Other CA");
        using var channel = foreignCa.Channel(platform.Knowledge.Address, platform.KnowledgeEditor);
        var failed = await Assert.ThrowsAsync<RpcException>(async () => await new KnowledgeService.KnowledgeServiceClient(channel).ListVersionsAsync(new ListVersionsRequest()));
        // grpc-dotnet reports a failed TLS handshake as INTERNAL (not UNAVAILABLE, which it would retry): the
        // request never left the client, and the cause is in the status.
        Assert.Equal(StatusCode.Internal, failed.StatusCode);
        Assert.Contains("SSL", failed.Status.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_health_port_answers_probes_in_cleartext_and_nothing_else()
    {
        using var channel = PlatformChannels.Create(new Uri($"http://127.0.0.1:{platform.HealthPort}"), retries: false);
        var health = await new global::Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new global::Grpc.Health.V1.HealthCheckRequest());
        Assert.Equal(global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await new KnowledgeService.KnowledgeServiceClient(channel).ListVersionsAsync(new ListVersionsRequest()));
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
    }
}
