using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Npgsql;
using Grpc.Net.Client;
using Grpc.Core;
using SpasmPlatform.IntegrationTests.Infrastructure;
using SpasmPlatform.IntegrationTests.Observability;
using Xunit.Abstractions;
using Submissions = SpasmPlatform.IntegrationTests.Assessment.Submissions;

namespace SpasmPlatform.IntegrationTests.Operations;

/// <summary>
/// Two care-plan instances competing for one queue while a stream of assessments is submitted; one gets SIGTERM
/// mid-flow. Every assessment ends with exactly one drafted plan, linked back to it once: nothing the stopped instance
/// held (in hand or prefetched) is lost, nothing is drafted twice, nothing lands in the error queue.
/// </summary>
[Collection(SerialPlatformCollection.Name)]
public sealed partial class CarePlanGracefulShutdownTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Assessments = 160;
    private const int Workers = 4;
    private const int StopAfterDrafted = 30;

    private readonly PrefixedAssessmentHost _assessment = new();
    private readonly string _schema = $"careplan_it_{Guid.NewGuid():N}"[..27];
    private readonly string _queuePrefix = $"it-{Guid.NewGuid():N}-"[..12];
    private ServiceProcess[] _carePlans = [];

    private string TriageQueue => $"{_queuePrefix}careplan-triage-decided";

    public async Task InitializeAsync()
    {
        await _assessment.InitializeAsync();
        var environment = new Dictionary<string, string>
        {
            ["EventStore__Schema"] = _schema,
            ["Knowledge__Address"] = _assessment.Knowledge.Service.Address.ToString(),
            ["CarePlan__QueuePrefix"] = _queuePrefix,
            ["Messaging__EntityPrefix"] = _assessment.Prefix,
        };
        _carePlans = [ServiceProcess.Start("CarePlan", environment), ServiceProcess.Start("CarePlan", environment)];
        foreach (var carePlan in _carePlans)
        {
            await carePlan.WaitForServingAsync();
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var carePlan in _carePlans)
        {
            await carePlan.DisposeAsync();
        }

        await _assessment.DisposeAsync();
        var overriddenQueue = $"{_queuePrefix}careplan-triage-overridden";
        await RabbitMqAdmin.DeleteAsync(
            Platform.RabbitMq,
            [TriageQueue, $"{TriageQueue}_error", overriddenQueue, $"{overriddenQueue}_error"],
            [TriageQueue, overriddenQueue]);
        await using var dataSource = NpgsqlDataSource.Create(Platform.Postgres);
        await using var drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS {_schema} CASCADE");
        await drop.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task Stopping_one_of_two_instances_mid_flow_loses_and_duplicates_no_plan()
    {
        var stopped = _carePlans[0];
        var survivor = _carePlans[1];
        var clinic = Submissions.NewId("clinic-careplan-shutdown");
        var acknowledged = new ConcurrentBag<string>();
        var failures = new ConcurrentBag<RpcException>();
        var next = -1;
        var submitting = Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Assessments)
            {
                // Both paths of the drafter: a self-care plan and a referral-only one.
                var request = i % 4 == 0 ? Submissions.CaudaEquina(clinic, $"req-{i}") : Submissions.LiftingStrain(clinic, $"req-{i}");
                try
                {
                    var response = await _assessment.Client.SubmitAssessmentAsync(request, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30)));
                    acknowledged.Add(response.Assessment.AssessmentId);
                }
                catch (RpcException e)
                {
                    failures.Add(e);
                }
            }
        })));

        // SIGTERM once plans are being drafted, while triages are still arriving.
        await Eventually.WaitAsync(
            async () => await ScalarAsync($"SELECT count(*) FROM {_schema}.care_plans") >= StopAfterDrafted,
            TimeSpan.FromSeconds(60),
            $"{StopAfterDrafted} plans to be drafted; care-plan output:\n{stopped.Output}\n{survivor.Output}");
        stopped.Terminate();
        var draftedAtStop = await ScalarAsync($"SELECT count(*) FROM {_schema}.care_plans");
        await submitting;

        await stopped.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(stopped.ExitCode == 0, $"the stopped instance exited with {stopped.ExitCode}; its output:\n{stopped.Output}");
        Assert.DoesNotContain("Unhandled exception", stopped.Output, StringComparison.Ordinal);
        Assert.Empty(failures);
        var ids = acknowledged.ToArray();
        Assert.Equal(Assessments, ids.Distinct().Count());

        // Both instances took part: the stopped one had drafted plans of its own before it went.
        var draftedByStopped = DraftedLog().Matches(stopped.Output).Count;
        output.WriteLine($"plans drafted when SIGTERM was sent: {draftedAtStop} of {Assessments}; by the stopped instance: {draftedByStopped}");
        Assert.True(draftedByStopped > 0, $"the stopped instance drafted nothing, so the test proved nothing; its output:\n{stopped.Output}");

        // Every assessment gets its plan (the survivor takes what the stopped one had not started), linked back once.
        await Eventually.WaitAsync(
            async () => await ScalarAsync($"SELECT count(DISTINCT assessment_id) FROM {_schema}.care_plans WHERE assessment_id = ANY($1)", [ids]) == ids.Length,
            TimeSpan.FromSeconds(90),
            $"a plan for every assessment; survivor output:\n{survivor.Output}");
        var links = $"SELECT count(*) FROM {_assessment.Schema}.mt_events WHERE type = 'assessment.care_plan_linked' AND stream_id = ANY($1)";
        var streams = ids.Select(id => $"assessment-{id}").ToArray();
        await Eventually.WaitAsync(
            async () => await ScalarAsync(links, [streams]) >= ids.Length,
            TimeSpan.FromSeconds(90),
            $"every plan to be linked to its assessment; assessment output:\n{_assessment.Service.Output}");
        await Eventually.WaitAsync(
            async () => await ScalarAsync($"SELECT count(*) FROM {_schema}.outbox WHERE sent_at IS NULL") == 0,
            TimeSpan.FromSeconds(60),
            $"the care-plan outbox to drain; survivor output:\n{survivor.Output}");

        // Exactly one: one plan row and one drafted event per assessment, one link per assessment.
        Assert.Equal(ids.Length, await ScalarAsync($"SELECT count(*) FROM {_schema}.care_plans WHERE assessment_id = ANY($1)", [ids]));
        Assert.Equal(ids.Length, await ScalarAsync($"SELECT count(*) FROM {_schema}.mt_events WHERE stream_id = ANY($1)", [ids.Select(id => $"careplan-{id}").ToArray()]));
        Assert.Equal(ids.Length, await ScalarAsync(links, [streams]));
        Assert.Equal(0u, await RabbitMqAdmin.MessageCountAsync(Platform.RabbitMq, TriageQueue));
        Assert.Equal(0u, await RabbitMqAdmin.MessageCountAsync(Platform.RabbitMq, $"{TriageQueue}_error"));
    }

    /// <summary>Pass an array parameter wrapped (<c>[array]</c>): a string[] would otherwise spread into the params.</summary>
    private static async Task<long> ScalarAsync(string sql, params object[] parameters)
    {
        await using var dataSource = NpgsqlDataSource.Create(Platform.Postgres);
        await using var command = dataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The care-plan consumers' one line per drafted plan.</summary>
    [GeneratedRegex("Drafted care plan \\S+ for assessment ")]
    private static partial Regex DraftedLog();
}
