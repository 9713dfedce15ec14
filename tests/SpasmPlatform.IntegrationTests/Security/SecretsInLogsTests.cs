using Grpc.Health.V1;
using Npgsql;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Contracts.Calling;
using Grpc.Net.Client;
using Grpc.Core;
using SpasmPlatform.IntegrationTests.Assessment;
using SpasmPlatform.IntegrationTests.Infrastructure;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.IntegrationTests.Security;

/// <summary>
/// No password reaches a service's output: a unique marker is the PostgreSQL and the RabbitMQ password, the services
/// log at Debug, fail to connect or work normally, and the marker must never appear in their stdout or stderr.
/// </summary>
public sealed class SecretsInLogsTests
{
    private static readonly Dictionary<string, string> DebugLogging = new()
    {
        ["Logging__LogLevel__Default"] = "Debug",
        ["Logging__LogLevel__Microsoft"] = "Debug",
    };

    private readonly string _marker = "Mk" + Guid.NewGuid().ToString("N");

    public static TheoryData<string, string> MalformedSettings => new()
    {
        // Npgsql reads the text after an unquoted ';' as the next keyword and names it in its error.
        { "ConnectionStrings__Postgres", "Host=127.0.0.1;Port=55432;Username=spasm;Password=ab;MARKER;Database=spasm" },
        { "ConnectionStrings__Postgres", "Host=127.0.0.1;Port=55432;Username=spasm;Password=ab;MARKER=cd;Database=spasm" },
        { "ConnectionStrings__RabbitMq", "amqp://spasm:MARKER@127.0.0.1:notaport/" },
    };

    [Theory]
    [MemberData(nameof(MalformedSettings))]
    public async Task A_malformed_connection_string_is_refused_without_showing_its_password(string variable, string value)
    {
        await using var service = ServiceProcess.Start("Knowledge", new Dictionary<string, string>(DebugLogging)
        {
            [variable] = value.Replace("MARKER", _marker, StringComparison.Ordinal),
        });

        await service.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(78, service.ExitCode);
        Assert.Contains(variable.Replace("__", ":", StringComparison.Ordinal), service.Output, StringComparison.Ordinal);
        AssertNoMarker(service);
    }

    [Fact]
    public async Task Wrong_passwords_are_logged_as_failures_without_the_passwords()
    {
        var postgres = new NpgsqlConnectionStringBuilder(Platform.Postgres) { Password = _marker, Timeout = 3 }.ConnectionString;
        var rabbit = new UriBuilder(Platform.RabbitMq) { Password = _marker }.Uri.ToString();
        var schema = $"knowledge_sec_{Guid.NewGuid():N}"[..28];
        await using var service = ServiceProcess.Start("Knowledge", new Dictionary<string, string>(DebugLogging)
        {
            ["ConnectionStrings__Postgres"] = postgres,
            ["ConnectionStrings__RabbitMq"] = rabbit,
            ["EventStore__Schema"] = schema,
        });
        using var channel = GrpcChannel.ForAddress(service.Address);
        var health = new Health.HealthClient(channel);
        var knowledge = new KnowledgeService.KnowledgeServiceClient(channel);

        // Both refusals must have been logged, or the test would prove nothing.
        await Eventually.WaitAsync(async () =>
        {
            await ExerciseAsync(health, knowledge);
            return service.Output.Contains("28P01", StringComparison.Ordinal)
                && service.Output.Contains("ACCESS_REFUSED", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(60), $"the service to log both refused logins; its output:\n{service.Output}");

        service.Terminate();
        await service.WaitForExitAsync(TimeSpan.FromSeconds(40));
        AssertNoMarker(service);
    }

    [Fact]
    public async Task Right_passwords_with_debug_logging_leave_no_password_in_the_logs()
    {
        var role = $"sec_{Guid.NewGuid():N}"[..20];
        await using var admin = NpgsqlDataSource.Create(Platform.Postgres);
        var database = new NpgsqlConnectionStringBuilder(Platform.Postgres).Database!;
        await ExecuteAsync(admin, $"CREATE ROLE {role} LOGIN PASSWORD '{_marker}'");
        await ExecuteAsync(admin, $"GRANT CREATE ON DATABASE \"{database}\" TO {role}");
        await using var broker = await PrivateRabbitMqNode.StartNewAsync(password: _marker);
        var connection = new Dictionary<string, string>(DebugLogging)
        {
            ["ConnectionStrings__Postgres"] = new NpgsqlConnectionStringBuilder(Platform.Postgres) { Username = role, Password = _marker }.ConnectionString,
            ["ConnectionStrings__RabbitMq"] = broker.Uri,
        };
        ServiceProcess? knowledge = null;
        ServiceProcess? assessment = null;
        try
        {
            knowledge = ServiceProcess.Start("Knowledge", new Dictionary<string, string>(connection) { ["EventStore__Schema"] = $"{role}_k" });
            await knowledge.WaitForServingAsync();
            assessment = ServiceProcess.Start("Assessment", new Dictionary<string, string>(connection)
            {
                ["EventStore__Schema"] = $"{role}_a",
                ["Knowledge__Address"] = knowledge.Address.ToString(),
            });
            await assessment.WaitForServingAsync();

            using var channel = GrpcChannel.ForAddress(assessment.Address);
            var client = new AssessmentService.AssessmentServiceClient(channel);
            var submitted = await client.SubmitAssessmentAsync(Submissions.LiftingStrain("clinic-secrets", "secrets-1"), Deadline());
            await client.GetAssessmentAsync(new GetAssessmentRequest { AssessmentId = submitted.Assessment.AssessmentId }, Deadline());
            var invalid = await Assert.ThrowsAsync<RpcException>(async () => await client.SubmitAssessmentAsync(new SubmitAssessmentRequest(), Deadline()));
            Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
            using (var knowledgeChannel = GrpcChannel.ForAddress(knowledge.Address))
            {
                await ExerciseAsync(new Health.HealthClient(knowledgeChannel), new KnowledgeService.KnowledgeServiceClient(knowledgeChannel));
            }

            // The triage's integration event went through the outbox to the broker (the relay's Debug line).
            var running = assessment;
            await Eventually.WaitAsync(
                () => Task.FromResult(running.Output.Contains("Relayed 1 outbox message", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(30), $"the outbox to publish; output:\n{running.Output}");

            foreach (var service in new[] { assessment, knowledge })
            {
                service.Terminate();
                await service.WaitForExitAsync(TimeSpan.FromSeconds(40));
                Assert.Contains("dbug:", service.Output, StringComparison.Ordinal);
                AssertNoMarker(service);
            }
        }
        finally
        {
            if (assessment is not null)
            {
                await assessment.DisposeAsync();
            }

            if (knowledge is not null)
            {
                await knowledge.DisposeAsync();
            }

            // DROP OWNED takes the role's schemas and its database privilege with it.
            await ExecuteAsync(admin, $"DROP OWNED BY {role} CASCADE");
            await ExecuteAsync(admin, $"DROP ROLE {role}");
        }
    }

    private static CallOptions Deadline() => new(deadline: DateTime.UtcNow.AddSeconds(20));

    /// <summary>Health checks and an RPC, whatever they answer: the point is what the service logs meanwhile.</summary>
    private static async Task ExerciseAsync(Health.HealthClient health, KnowledgeService.KnowledgeServiceClient knowledge)
    {
        try
        {
            await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
            await knowledge.ListVersionsAsync(new ListVersionsRequest(), new CallOptions(deadline: DateTime.UtcNow.AddSeconds(5)));
        }
        catch (RpcException)
        {
            // NOT_SERVING services answer UNAVAILABLE; that is expected here.
        }
    }

    private void AssertNoMarker(ServiceProcess service)
    {
        var output = service.Output;
        var at = output.IndexOf(_marker, StringComparison.OrdinalIgnoreCase);
        // Ignoring case: Npgsql lower-cases the "keyword" it cannot set, which can be a piece of the password.
        Assert.True(at < 0, $"{service.Name} wrote the password: ...{output[Math.Max(0, at - 300)..Math.Min(output.Length, at + 100)]}...");
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
