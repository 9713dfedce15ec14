using System.Collections.Concurrent;
using Grpc.Health.V1;
using Npgsql;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Contracts.Calling;
using Grpc.Net.Client;
using Grpc.Core;
using SpasmPlatform.IntegrationTests.Assessment;
using SpasmPlatform.IntegrationTests.Infrastructure;
using SpasmPlatform.IntegrationTests.Observability;

namespace SpasmPlatform.IntegrationTests.Operations;

/// <summary>
/// Two assessment instances on one schema under load; one gets SIGTERM mid-load. Every submission acknowledged to a
/// client must be stored with its outbox message, and published (by either relay); the other instance keeps serving,
/// and the stopped one exits cleanly.
/// </summary>
[Collection(SerialPlatformCollection.Name)]
public sealed class GracefulShutdownTests(AssessmentHost host) : IClassFixture<AssessmentHost>
{
    private const int Submissions = 240;
    private const int Workers = 8;
    private const int StopAfterAcknowledged = 40;

    [Fact]
    public async Task Stopping_one_of_two_instances_mid_load_loses_no_acknowledged_submission()
    {
        await using var second = ServiceProcess.Start("Assessment", new Dictionary<string, string>
        {
            ["EventStore__Schema"] = host.Schema,
            ["Knowledge__Address"] = host.Knowledge.Service.Address.ToString(),
        });
        using var secondChannel = GrpcChannel.ForAddress(second.Address);
        await WaitServingAsync(secondChannel, second);
        AssessmentService.AssessmentServiceClient[] clients = [host.Client, new AssessmentService.AssessmentServiceClient(secondChannel)];

        var clinic = IntegrationTests.Assessment.Submissions.NewId("clinic-shutdown");
        var acknowledged = new ConcurrentBag<(int Instance, string AssessmentId)>();
        var failures = new ConcurrentBag<(int Instance, RpcException Error)>();
        var stopped = 0;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Submissions)
            {
                var instance = i % 2;
                var request = IntegrationTests.Assessment.Submissions.LiftingStrain(clinic, $"req-{i}");
                try
                {
                    var response = await clients[instance].SubmitAssessmentAsync(request, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30)));
                    acknowledged.Add((instance, response.Assessment.AssessmentId));
                }
                catch (RpcException e)
                {
                    failures.Add((instance, e));
                }

                if (acknowledged.Count >= StopAfterAcknowledged && Interlocked.Exchange(ref stopped, 1) == 0)
                {
                    host.Service.Terminate();
                }
            }
        })));

        await host.Service.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(host.Service.ExitCode == 0, $"the stopped instance exited with {host.Service.ExitCode}; its output:\n{host.Service.Output}");
        Assert.DoesNotContain("Unhandled exception", host.Service.Output, StringComparison.Ordinal);

        // The other instance served everything sent to it, before and after the stop.
        Assert.DoesNotContain(failures, f => f.Instance == 1);
        Assert.Equal(Submissions / 2, acknowledged.Count(a => a.Instance == 1));

        // Every acknowledged submission is stored, with its outbox message, and the outbox drains (the survivor's relay
        // takes over whatever the stopped one had not published).
        var ids = acknowledged.Select(a => a.AssessmentId).ToArray();
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.Equal(ids.Length, await ScalarAsync($"SELECT count(DISTINCT assessment_id) FROM {host.Schema}.assessments WHERE assessment_id = ANY($1)", (object)ids));
        Assert.Equal(ids.Length, await ScalarAsync($"SELECT count(*) FROM {host.Schema}.outbox WHERE stream_id = ANY($1)", (object)ids.Select(id => $"assessment-{id}").ToArray()));
        await Eventually.WaitAsync(
            async () => await ScalarAsync($"SELECT count(*) FROM {host.Schema}.outbox WHERE sent_at IS NULL") == 0,
            TimeSpan.FromSeconds(60),
            $"the outbox to drain; survivor output:\n{second.Output}");
        foreach (var id in ids.Take(5))
        {
            Assert.Equal(id, (await clients[1].GetAssessmentAsync(new GetAssessmentRequest { AssessmentId = id })).AssessmentId);
        }
    }

    private static async Task WaitServingAsync(GrpcChannel channel, ServiceProcess service)
    {
        await service.WaitForServingAsync();
    }

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
}
