using SpasmPlatform.Assessment.V1;
using Grpc.Health.V1;
using Npgsql;
using SpasmPlatform.Contracts.Calling;
using Grpc.Net.Client;
using Grpc.Core;
using SpasmPlatform.IntegrationTests.Infrastructure;
using StatusCode = Grpc.Core.StatusCode;

namespace SpasmPlatform.IntegrationTests.Assessment;

/// <summary>Without a knowledge version the service never triages: NOT_SERVING, and submissions are UNAVAILABLE.</summary>
public sealed class AssessmentWithoutKnowledgeTests
{
    [Fact]
    public async Task Without_a_reachable_knowledge_service_it_is_not_serving_and_refuses_to_triage()
    {
        var schema = $"assessment_nok_{Guid.NewGuid():N}"[..30];
        try
        {
            // Port 1 on loopback: nothing answers there.
            await using var service = ServiceProcess.Start("Assessment", new Dictionary<string, string>
            {
                ["EventStore__Schema"] = schema,
                ["Knowledge__Address"] = "http://127.0.0.1:1",
            });
            using var channel = GrpcChannel.ForAddress(service.Address);
            var health = new Health.HealthClient(channel);
            HealthCheckResponse.Types.ServingStatus? status = null;
            await Eventually.WaitAsync(async () =>
            {
                try
                {
                    status = (await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(5))).Status;
                    return true;
                }
                catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(60), $"the assessment service to answer health checks; its output:\n{service.Output}");
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, status);
            var own = await health.CheckAsync(new HealthCheckRequest { Service = AssessmentService.Descriptor.FullName }, deadline: DateTime.UtcNow.AddSeconds(5));
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, own.Status);

            // Liveness only says the process answers: a probe that followed the missing dependency would restart it.
            var alive = await health.CheckAsync(new HealthCheckRequest { Service = SpasmPlatform.ServiceDefaults.Extensions.LivenessService }, deadline: DateTime.UtcNow.AddSeconds(5));
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, alive.Status);

            // Refused while it starts (storage, then the bus), and from then on for want of the knowledge service.
            var client = new AssessmentService.AssessmentServiceClient(channel);
            await Eventually.WaitAsync(async () =>
            {
                var error = await Assert.ThrowsAsync<RpcException>(() => client.SubmitAssessmentAsync(Submissions.LiftingStrain("clinic-x", "req-x")).ResponseAsync);
                Assert.Equal(StatusCode.Unavailable, error.StatusCode);
                return error.Status.Detail.Contains("knowledge service", StringComparison.Ordinal);
            }, TimeSpan.FromSeconds(60), "the refusal to name the knowledge service");
        }
        finally
        {
            await AssessmentQueues.DeleteAsync(schema);
            await using var dataSource = NpgsqlDataSource.Create(Platform.Postgres);
            await using var drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE");
            await drop.ExecuteNonQueryAsync();
        }
    }
}
