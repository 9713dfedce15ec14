using Grpc.Health.V1;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SpasmPlatform.Contracts.IntegrationEvents;
using Grpc.Net.Client;
using Grpc.Core;
using SpasmPlatform.IntegrationTests.Infrastructure;
using SpasmPlatform.IntegrationTests.Knowledge;

namespace SpasmPlatform.IntegrationTests.CarePlan;

/// <summary>
/// Two competing care-plan processes on the PostgreSQL and RabbitMQ a test means to stop (a private cluster or node),
/// with a knowledge process on the shared infrastructure, a test bus that publishes TriageDecided, and a queue bound
/// to CarePlanDrafted. One per test: each outage test owns its broker or database.
/// </summary>
internal sealed class CarePlanOutageRig : IAsyncDisposable
{
    private const string DraftedEventType = "care_plan.drafted";

    private readonly KnowledgeHost _knowledge = new();
    private ServiceProvider? _bus;

    private CarePlanOutageRig(string postgres, string rabbitMq)
    {
        Postgres = postgres;
        RabbitMq = rabbitMq;
    }

    public string Postgres { get; }

    public string RabbitMq { get; }

    public string Schema { get; } = $"careplan_out_{Guid.NewGuid():N}"[..28];

    public string QueuePrefix { get; } = $"out-{Guid.NewGuid():N}-"[..13];

    public string TriageQueue => $"{QueuePrefix}careplan-triage-decided";

    public string DraftedQueue { get; } = $"out-careplan-drafted-{Guid.NewGuid():N}";

    public ServiceProcess[] Services { get; private set; } = [];

    public string Output => string.Join('\n', Services.Select(s => s.Output));

    public static async Task<CarePlanOutageRig> StartAsync(string postgres, string rabbitMq)
    {
        var rig = new CarePlanOutageRig(postgres, rabbitMq);
        try
        {
            await rig.InitializeAsync();
            return rig;
        }
        catch
        {
            await rig.DisposeAsync();
            throw;
        }
    }

    /// <summary><paramref name="count"/> assessments, each with its TriageDecided and a second message about it (the assessment service republishing after a crash).</summary>
    public static List<TriageDecided> Triages(int count) =>
        [.. Enumerable.Range(0, count)
            .Select(i => CarePlanPlatform.Decided(CarePlanPlatform.Sample(i % 3 == 0 ? "v10-sedatives-sciatica" : i % 3 == 1 ? "v01-lifting-strain" : "v04-cauda-equina")))
            .SelectMany(d => new[] { d, d with { MessageId = Guid.NewGuid() } })];

    public Task PublishAsync(IEnumerable<TriageDecided> messages) =>
        Task.WhenAll(messages.Select(m => _bus!.GetRequiredService<IBus>().Publish(m, context => context.MessageId = m.MessageId)));

    /// <summary>
    /// Publishes once the test bus is connected again after a broker restart: a publish that fails is repeated, and
    /// one that went out twice is a true duplicate (same MessageId), which is exactly what the inbox absorbs.
    /// </summary>
    public Task PublishWhenConnectedAsync(IReadOnlyList<TriageDecided> messages) =>
        Eventually.WaitAsync(async () =>
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await Task.WhenAll(messages.Select(m => _bus!.GetRequiredService<IBus>().Publish(m, context => context.MessageId = m.MessageId, timeout.Token)));
                return true;
            }
            catch (Exception e) when (e is OperationCanceledException or RabbitMqConnectionException or MassTransitException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(120), "the test bus to publish after the broker restart");

    public async Task<long> ScalarAsync(string sql, params object[] parameters)
    {
        await using var dataSource = NpgsqlDataSource.Create(Postgres);
        await using var command = dataSource.CreateCommand(sql.Replace("{schema}", Schema, StringComparison.Ordinal));
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>How many of <paramref name="messages"/> the inbox holds: handled and committed. 0 while the database is away.</summary>
    public async Task<long> HandledAsync(IEnumerable<TriageDecided> messages)
    {
        try
        {
            return await ScalarAsync("SELECT count(*) FROM {schema}.inbox WHERE message_id = ANY($1)", [messages.Select(m => m.MessageId).ToArray()]);
        }
        catch (NpgsqlException)
        {
            return 0;
        }
    }

    public Task WaitHandledAsync(IReadOnlyCollection<TriageDecided> messages) =>
        Eventually.WaitAsync(
            async () => await HandledAsync(messages) == messages.Select(m => m.MessageId).Distinct().Count(),
            TimeSpan.FromSeconds(180),
            $"the care-plan inbox to record all {messages.Count} messages; care-plan output:\n{Output}");

    /// <summary>The invariant of the issue: every assessment has exactly one drafted plan, and nothing more.</summary>
    public async Task AssertExactlyOnePlanEachAsync(IReadOnlyCollection<string> assessmentIds)
    {
        var streams = assessmentIds.Select(a => $"careplan-{a}").ToArray();
        Assert.Equal(assessmentIds.Count, await ScalarAsync("SELECT count(DISTINCT stream_id) FROM {schema}.mt_events WHERE type = $1 AND stream_id = ANY($2)", DraftedEventType, streams));
        Assert.Equal(assessmentIds.Count, await ScalarAsync("SELECT count(*) FROM {schema}.mt_events WHERE type = $1 AND stream_id = ANY($2)", DraftedEventType, streams));
        Assert.Equal(assessmentIds.Count, await ScalarAsync("SELECT count(*) FROM {schema}.mt_events WHERE stream_id = ANY($1)", [streams]));
        Assert.Equal(assessmentIds.Count, await ScalarAsync("SELECT count(*) FROM {schema}.care_plans WHERE assessment_id = ANY($1)", [assessmentIds.ToArray()]));
        Assert.Equal(0u, await RabbitMqAdmin.MessageCountAsync(RabbitMq, $"{TriageQueue}_error"));
    }

    /// <summary>Every assessment's CarePlanDrafted reaches RabbitMQ (at least once: the outbox may resend after a restart).</summary>
    public async Task AssertEveryPlanAnnouncedAsync(IReadOnlyCollection<string> assessmentIds)
    {
        await Eventually.WaitAsync(
            async () => await ScalarAsync("SELECT count(*) FROM {schema}.outbox WHERE sent_at IS NULL") == 0,
            TimeSpan.FromSeconds(120),
            $"the outbox to be sent; care-plan output:\n{Output}");
        var announced = new HashSet<string>(StringComparer.Ordinal);
        while (!assessmentIds.All(announced.Contains))
        {
            try
            {
                var delivery = await RabbitMqAdmin.TakeAsync(RabbitMq, DraftedQueue, TimeSpan.FromSeconds(30));
                using var envelope = System.Text.Json.JsonDocument.Parse(delivery.Body);
                announced.Add(envelope.RootElement.GetProperty("message").GetProperty("assessmentId").GetString()!);
            }
            catch (TimeoutException)
            {
                var missing = assessmentIds.Where(a => !announced.Contains(a)).ToList();
                Assert.Fail($"{missing.Count} plans never announced although the outbox marked them sent, e.g. {missing[0]}; care-plan output:\n{Output}");
            }
        }
    }

    /// <summary>Waits until the first instance reports NOT_SERVING: it has noticed the database is gone.</summary>
    public async Task WaitNotServingAsync()
    {
        using var channel = GrpcChannel.ForAddress(Services[0].Address);
        var health = new Health.HealthClient(channel);
        await Eventually.WaitAsync(async () =>
        {
            try
            {
                var status = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
                return status.Status != HealthCheckResponse.Types.ServingStatus.Serving;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "the care-plan service to notice the outage");
    }

    public async ValueTask DisposeAsync()
    {
        if (_bus is not null)
        {
            await _bus.GetRequiredService<IBusControl>().StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
            await _bus.DisposeAsync();
        }

        foreach (var service in Services)
        {
            await service.DisposeAsync();
        }

        await _knowledge.DisposeAsync();
        try
        {
            await RabbitMqAdmin.DeleteAsync(
                RabbitMq,
                [DraftedQueue, TriageQueue, $"{TriageQueue}_error", $"{QueuePrefix}careplan-triage-overridden", $"{QueuePrefix}careplan-triage-overridden_error",
                    $"{QueuePrefix}careplan-clinical-notes-erased", $"{QueuePrefix}careplan-clinical-notes-erased_error"],
                [TriageQueue, $"{QueuePrefix}careplan-triage-overridden", $"{QueuePrefix}careplan-clinical-notes-erased"]);
            await using var dataSource = NpgsqlDataSource.Create(Postgres);
            await using var drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS {Schema} CASCADE");
            await drop.ExecuteNonQueryAsync();
        }
        catch (Exception e) when (e is NpgsqlException or RabbitMQ.Client.Exceptions.BrokerUnreachableException)
        {
            // A failed test may leave its private broker or database stopped; they are deleted with it.
        }
    }

    private async Task InitializeAsync()
    {
        await _knowledge.InitializeAsync();
        await BindAsync(DraftedQueue, "SpasmPlatform.Contracts.IntegrationEvents:CarePlanDrafted");
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = Postgres,
            ["ConnectionStrings__RabbitMq"] = RabbitMq,
            ["EventStore__Schema"] = Schema,
            ["Knowledge__Address"] = _knowledge.Service.Address.ToString(),
            ["CarePlan__QueuePrefix"] = QueuePrefix,
        };
        Services = [ServiceProcess.Start("CarePlan", environment), ServiceProcess.Start("CarePlan", environment)];
        foreach (var service in Services)
        {
            await WaitServingAsync(service);
        }

        var services = new ServiceCollection();
        services.AddMassTransit(bus => bus.UsingRabbitMq((_, cfg) => cfg.Host(new Uri(RabbitMq))));
        _bus = services.BuildServiceProvider();
        await _bus.GetRequiredService<IBusControl>().StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
    }

    private async Task BindAsync(string queue, string exchange)
    {
        var factory = new RabbitMQ.Client.ConnectionFactory { Uri = new Uri(RabbitMq) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(exchange, RabbitMQ.Client.ExchangeType.Fanout, durable: true, autoDelete: false);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync(queue, exchange, string.Empty);
    }

    private static async Task WaitServingAsync(ServiceProcess service)
    {
        await service.WaitForServingAsync();
    }
}
