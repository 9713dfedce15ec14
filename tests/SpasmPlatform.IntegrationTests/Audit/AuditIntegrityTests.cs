using Npgsql;
using SpasmPlatform.Audit.V1;
using Grpc.Core;
using SpasmPlatform.IntegrationTests.Assessment;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.Audit;

/// <summary>An edit made in SQL behind the store's back is found and named by stream and version. Its own host: it breaks the store on purpose.</summary>
public sealed class AuditIntegrityTests(AuditHost host) : IClassFixture<AuditHost>
{
    [Fact]
    public async Task An_event_row_changed_in_SQL_is_reported_by_stream_and_version()
    {
        var tampered = (await host.Client.SubmitAssessmentAsync(Submissions.CaudaEquina(Submissions.NewId("clinic"), "tamper"))).Assessment;
        var untouched = (await host.Client.SubmitAssessmentAsync(Submissions.LiftingStrain(Submissions.NewId("clinic"), "untouched"))).Assessment;
        var before = await host.Audit.VerifyIntegrityAsync(new VerifyIntegrityRequest { AssessmentId = tampered.AssessmentId });
        Assert.True(before.Intact);
        Assert.Equal(2, before.EventsChecked);
        var (cliBefore, textBefore, _) = await SpasmCli.RunAsync("audit", "verify", "--address", host.Service.Address.ToString(), "--assessment", tampered.AssessmentId);
        Assert.Equal(0, cliBefore);
        Assert.StartsWith("INTACT", textBefore, StringComparison.Ordinal);

        // Someone lowers the engine's urgency in the database.
        await using (var dataSource = NpgsqlDataSource.Create(Platform.Postgres))
        await using (var update = dataSource.CreateCommand(
            $"UPDATE {host.Schema}.mt_events SET data = jsonb_set(data, '{{urgency}}', '\"self_care\"') WHERE stream_id = $1 AND version = 2"))
        {
            update.Parameters.AddWithValue($"assessment-{tampered.AssessmentId}");
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }

        var one = await host.Audit.VerifyIntegrityAsync(new VerifyIntegrityRequest { AssessmentId = tampered.AssessmentId });
        Assert.False(one.Intact);
        var broken = Assert.Single(one.Breaks);
        Assert.Equal(($"assessment-{tampered.AssessmentId}", 2L), (broken.StreamId, broken.Version));
        Assert.Contains("altered", broken.Reason, StringComparison.Ordinal);

        var all = await host.Audit.VerifyIntegrityAsync(new VerifyIntegrityRequest());
        Assert.False(all.Intact);
        Assert.Equal(broken, Assert.Single(all.Breaks));
        Assert.True(all.EventsChecked >= 4);
        Assert.True((await host.Audit.VerifyIntegrityAsync(new VerifyIntegrityRequest { StreamId = $"assessment-{untouched.AssessmentId}" })).Intact);

        var (code, output, _) = await SpasmCli.RunAsync("audit", "verify", "--address", host.Service.Address.ToString(), "--assessment", tampered.AssessmentId);
        Assert.Equal(2, code);
        Assert.Contains($"assessment-{tampered.AssessmentId} v2:", output, StringComparison.Ordinal);

        var unknown = await Assert.ThrowsAsync<RpcException>(() => host.Audit.VerifyIntegrityAsync(new VerifyIntegrityRequest { StreamId = "assessment-none" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }
}
