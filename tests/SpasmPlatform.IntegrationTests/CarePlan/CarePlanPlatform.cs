using SpasmPlatform.CarePlan.V1;
using Google.Protobuf;
using Grpc.Health.V1;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Common.V1;
using SpasmPlatform.Contracts.Calling;
using SpasmPlatform.Contracts.IntegrationEvents;
using Grpc.Net.Client;
using Grpc.Core;
using SpasmPlatform.IntegrationTests.Infrastructure;
using SpasmPlatform.IntegrationTests.Knowledge;
using SpasmPlatform.Knowledge.Loading;
using SpasmPlatform.Triage.Engine;

namespace SpasmPlatform.IntegrationTests.CarePlan;

/// <summary>
/// A knowledge process and two care-plan processes (one schema, one queue: competing consumers), a test bus that
/// publishes what the assessment service would, and queues bound to what the care-plan service announces.
/// </summary>
public sealed class CarePlanPlatform : IAsyncLifetime
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));

    private readonly KnowledgeHost _knowledge = new();

    /// <summary>Its care-plan processes consume only the TriageDecided this fixture publishes (see MessagingIsolation).</summary>
    public string EntityPrefix { get; } = MessagingIsolation.NewPrefix();
    private ServiceProvider _bus = null!;

    public string Schema { get; } = $"careplan_it_{Guid.NewGuid():N}"[..27];

    public string QueuePrefix { get; } = $"it-{Guid.NewGuid():N}-"[..12];

    public string TriageQueue => $"{QueuePrefix}careplan-triage-decided";

    public string DraftedQueue { get; } = $"it-careplan-drafted-{Guid.NewGuid():N}";

    public string ReviewedQueue { get; } = $"it-careplan-reviewed-{Guid.NewGuid():N}";

    public ServiceProcess[] Services { get; private set; } = [];

    public GrpcChannel Channel { get; private set; } = null!;

    public CarePlanService.CarePlanServiceClient Client { get; private set; } = null!;

    public IBus Bus => _bus.GetRequiredService<IBus>();

    public static SpasmPlatform.Knowledge.V1.KnowledgeBase Content { get; } =
        KnowledgeLoader.LoadDirectory(Path.Combine(Platform.RepoRoot, "services", "Knowledge", "SpasmPlatform.Knowledge", "Content"));

    public async Task InitializeAsync()
    {
        await _knowledge.InitializeAsync();
        await BindAsync(DraftedQueue, MessagingIsolation.Exchange(EntityPrefix, "SpasmPlatform.Contracts.IntegrationEvents:CarePlanDrafted"));
        await BindAsync(ReviewedQueue, MessagingIsolation.Exchange(EntityPrefix, "SpasmPlatform.Contracts.IntegrationEvents:CarePlanReviewed"));
        var environment = new Dictionary<string, string>
        {
            ["EventStore__Schema"] = Schema,
            ["Knowledge__Address"] = _knowledge.Service.Address.ToString(),
            ["CarePlan__QueuePrefix"] = QueuePrefix,
            ["Messaging__EntityPrefix"] = EntityPrefix,
        };
        Services = [ServiceProcess.Start("CarePlan", environment), ServiceProcess.Start("CarePlan", environment)];
        foreach (var service in Services)
        {
            await WaitServingAsync(service);
        }

        Channel = GrpcChannel.ForAddress(Services[0].Address);
        Client = new CarePlanService.CarePlanServiceClient(Channel);

        var services = new ServiceCollection();
        services.AddMassTransit(bus => bus.UsingRabbitMq((_, cfg) =>
        {
            MessagingIsolation.Configure(cfg, EntityPrefix);
            cfg.Host(new Uri(Platform.RabbitMq));
        }));
        _bus = services.BuildServiceProvider();
        await _bus.GetRequiredService<IBusControl>().StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
    }

    public async Task DisposeAsync()
    {
        await _bus.GetRequiredService<IBusControl>().StopAsync();
        await _bus.DisposeAsync();
        Channel.Dispose();
        foreach (var service in Services)
        {
            await service.DisposeAsync();
        }

        await RabbitMqAdmin.DeleteAsync(
            Platform.RabbitMq,
            [DraftedQueue, ReviewedQueue, TriageQueue, $"{TriageQueue}_error", $"{QueuePrefix}careplan-triage-overridden", $"{QueuePrefix}careplan-triage-overridden_error",
                    $"{QueuePrefix}careplan-clinical-notes-erased", $"{QueuePrefix}careplan-clinical-notes-erased_error"],
            [TriageQueue, $"{QueuePrefix}careplan-triage-overridden", $"{QueuePrefix}careplan-clinical-notes-erased"]);
        await _knowledge.DisposeAsync();
        await using var dataSource = NpgsqlDataSource.Create(Platform.Postgres);
        await using var drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS {Schema} CASCADE");
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>What the assessment service publishes for a submission: the engine's triage over the shipped content.</summary>
    public static TriageDecided Decided(SubmitAssessmentRequest submission, string? assessmentId = null)
    {
        var triage = TriageEngine.For(Content).Decide(submission);
        return new TriageDecided(
            Guid.NewGuid(), $"corr-{Guid.NewGuid():N}", submission.ClinicId, assessmentId ?? $"a-{Guid.NewGuid():N}", submission.PatientRef, triage.Urgency,
            triage.RuleSetVersion, triage.KnowledgeVersion, 2, DateTimeOffset.UtcNow, Formatter.Format(submission), Formatter.Format(triage));
    }

    public static SubmitAssessmentRequest Sample(string name, string? clinicId = null)
    {
        var submission = JsonParser.Default.Parse<SubmitAssessmentRequest>(File.ReadAllText(Path.Combine(Platform.RepoRoot, "samples", "assessments", $"{name}.json")));
        submission.ClinicId = clinicId ?? $"clinic-{Guid.NewGuid():N}";
        return submission;
    }

    /// <summary>Publishes with the message's own id as MassTransit's MessageId, so a second publish is a true duplicate.</summary>
    public Task PublishAsync<T>(T message, Guid messageId)
        where T : class =>
        Bus.Publish(message, context => context.MessageId = messageId);

    public async Task<SpasmPlatform.CarePlan.V1.CarePlan> WaitForPlanAsync(string assessmentId, Func<SpasmPlatform.CarePlan.V1.CarePlan, bool>? until = null)
    {
        SpasmPlatform.CarePlan.V1.CarePlan? plan = null;
        await Eventually.WaitAsync(async () =>
        {
            try
            {
                plan = await Client.GetCarePlanAsync(new SpasmPlatform.CarePlan.V1.GetCarePlanRequest { AssessmentId = assessmentId });
                return until is null || until(plan);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), $"a care plan for {assessmentId}; care-plan output:\n{Services[0].Output}\n{Services[1].Output}");
        return plan!;
    }

    /// <summary>Pass an array parameter wrapped (<c>[array]</c>): a string[] would otherwise spread into the params.</summary>
    public async Task<long> ScalarAsync(string sql, params object[] parameters)
    {
        await using var dataSource = NpgsqlDataSource.Create(Platform.Postgres);
        await using var command = dataSource.CreateCommand(sql.Replace("{schema}", Schema, StringComparison.Ordinal));
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Waits until every one of <paramref name="messageIds"/> is recorded in the care-plan inbox: handled and committed.</summary>
    public Task WaitHandledAsync(params Guid[] messageIds) =>
        Eventually.WaitAsync(
            async () => await ScalarAsync("SELECT count(*) FROM {schema}.inbox WHERE message_id = ANY($1)", [messageIds]) == messageIds.Length,
            TimeSpan.FromSeconds(60),
            "the care-plan inbox to record every message");

    /// <summary>The next CarePlanDrafted / CarePlanReviewed (MassTransit envelope's message) about <paramref name="assessmentId"/>.</summary>
    public static async Task<System.Text.Json.JsonElement> NextAboutAsync(string queue, string assessmentId)
    {
        while (true)
        {
            var delivery = await RabbitMqAdmin.TakeAsync(Platform.RabbitMq, queue, TimeSpan.FromSeconds(60));
            using var envelope = System.Text.Json.JsonDocument.Parse(delivery.Body);
            var message = envelope.RootElement.GetProperty("message");
            if (message.GetProperty("assessmentId").GetString() == assessmentId)
            {
                return message.Clone();
            }
        }
    }

    private static async Task BindAsync(string queue, string exchange)
    {
        var factory = new RabbitMQ.Client.ConnectionFactory { Uri = new Uri(Platform.RabbitMq) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(exchange, RabbitMQ.Client.ExchangeType.Fanout, durable: true, autoDelete: false);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync(queue, exchange, string.Empty);
    }

    internal static async Task WaitServingAsync(ServiceProcess service)
    {
        await service.WaitForServingAsync();
    }
}
