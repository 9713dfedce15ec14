using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Core;
using SpasmPlatform.IntegrationTests.Infrastructure;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace SpasmPlatform.IntegrationTests.Hosts;

/// <summary>The three service hosts as real processes against the real PostgreSQL and RabbitMQ.</summary>
public sealed class ServiceHostTests
{
    public static TheoryData<string> Projects => new() { "Assessment", "Knowledge", "CarePlan" };

    [Theory]
    [MemberData(nameof(Projects))]
    public async Task Host_reaches_serving_with_its_database_and_broker_and_answers_reflection(string project)
    {
        // A schema of its own: the shared development schemas may hold another branch's migration.
        var schema = $"{project.ToLowerInvariant()}_host_{Guid.NewGuid():N}"[..30];
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(Platform.Postgres);
        // The assessment service serves only once it has rules to triage with: give it a knowledge service of its own.
        var knowledge = project == "Assessment" ? new Knowledge.KnowledgeHost() : null;
        try
        {
            var environment = new Dictionary<string, string> { ["EventStore__Schema"] = schema };
            if (knowledge is not null)
            {
                await knowledge.InitializeAsync();
                environment["Knowledge__Address"] = knowledge.Service.Address.ToString();
            }

            await using var service = ServiceProcess.Start(project, environment);
            using var channel = GrpcChannel.ForAddress(service.Address);

            Assert.Equal(ServingStatus.Serving, await WaitForStatusAsync(channel, service, ServingStatus.Serving));
            var listed = await ListServicesAsync(channel);
            Assert.Contains("grpc.health.v1.Health", listed);
            Assert.Contains("grpc.reflection.v1alpha.ServerReflection", listed);
            Assert.Contains("grpc.reflection.v1.ServerReflection", listed);

            // SERVING includes the event store's readiness: the service's own schema exists with its tables.
            await using var command = dataSource.CreateCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema = $1 AND table_name IN ('mt_streams', 'mt_events', 'event_chain', 'outbox', 'inbox')");
            command.Parameters.AddWithValue(schema);
            Assert.Equal(5L, await command.ExecuteScalarAsync());
        }
        finally
        {
            if (knowledge is not null)
            {
                await knowledge.DisposeAsync();
                await Assessment.AssessmentQueues.DeleteAsync(schema);
            }

            await using var drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE");
            await drop.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task Host_without_its_database_is_not_serving()
    {
        // A schema name of its own even though the database is unreachable: the broker is not, and queues are named after it.
        var schema = $"assessment_nodb_{Guid.NewGuid():N}"[..30];
        try
        {
            await using var service = ServiceProcess.Start("Assessment", new Dictionary<string, string>
            {
                ["ConnectionStrings__Postgres"] = "Host=127.0.0.1;Port=1;Username=nobody;Password=wrong;Timeout=2",
                ["EventStore__Schema"] = schema,
            });
            using var channel = GrpcChannel.ForAddress(service.Address);

            Assert.Equal(ServingStatus.NotServing, await WaitForStatusAsync(channel, service, ServingStatus.NotServing));
        }
        finally
        {
            await Assessment.AssessmentQueues.DeleteAsync(schema);
        }
    }

    [Fact]
    public async Task Host_without_its_broker_is_not_serving()
    {
        await using var service = ServiceProcess.Start("Knowledge", new Dictionary<string, string>
        {
            ["ConnectionStrings__RabbitMq"] = "amqp://nobody:wrong@127.0.0.1:1/",
        });
        using var channel = GrpcChannel.ForAddress(service.Address);

        Assert.Equal(ServingStatus.NotServing, await WaitForStatusAsync(channel, service, ServingStatus.NotServing));
    }

    /// <summary>Polls health until the wanted status or a deadline; returns the last status seen.</summary>
    private static async Task<ServingStatus?> WaitForStatusAsync(GrpcChannel channel, ServiceProcess service, ServingStatus wanted)
    {
        var health = new Health.HealthClient(channel);
        var until = DateTime.UtcNow.AddSeconds(60);
        ServingStatus? last = null;
        while (DateTime.UtcNow < until && !service.HasExited)
        {
            try
            {
                last = (await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(5))).Status;
                if (last == wanted)
                {
                    return last;
                }
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                // Not listening yet.
            }

            await Task.Delay(250);
        }

        Assert.Fail($"{service.Name} never reported {wanted} (last: {last?.ToString() ?? "no answer"}; exited: {service.HasExited}).\n{service.Output}");
        return last;
    }

    private static async Task<List<string>> ListServicesAsync(GrpcChannel channel)
    {
        using var call = new global::Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo(deadline: DateTime.UtcNow.AddSeconds(10));
        await call.RequestStream.WriteAsync(new global::Grpc.Reflection.V1Alpha.ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext());
        return call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
    }
}
