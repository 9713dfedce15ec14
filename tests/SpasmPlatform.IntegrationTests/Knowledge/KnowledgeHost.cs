using SpasmPlatform.Knowledge.V1;
using Grpc.Health.V1;
using Npgsql;
using SpasmPlatform.Contracts.Calling;
using Grpc.Net.Client;
using Grpc.Core;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.Knowledge;

/// <summary>A knowledge service process on a schema of its own (dropped afterwards), serving once its content is published.</summary>
public sealed class KnowledgeHost : IAsyncLifetime
{
    public string Schema { get; } = $"knowledge_it_{Guid.NewGuid():N}"[..28];

    public ServiceProcess Service { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public KnowledgeService.KnowledgeServiceClient Client { get; private set; } = null!;

    /// <summary>A queue bound to the KnowledgeVersionPublished exchange before the service starts.</summary>
    public string AnnouncementQueue { get; } = $"it-knowledge-{Guid.NewGuid():N}";

    public const string AnnouncementMessage = "SpasmPlatform.Contracts.IntegrationEvents:KnowledgeVersionPublished";

    /// <summary>Messaging:EntityPrefix of the process (see MessagingIsolation); null: the shared exchanges.</summary>
    public string? EntityPrefix { get; init; }

    /// <summary>More environment for the process.</summary>
    public IReadOnlyDictionary<string, string>? Settings { get; init; }

    public string AnnouncementExchange => MessagingIsolation.Exchange(EntityPrefix, AnnouncementMessage);

    public async Task InitializeAsync()
    {
        await BindAnnouncementQueueAsync();
        var environment = new Dictionary<string, string> { ["EventStore__Schema"] = Schema };
        MessagingIsolation.Add(environment, EntityPrefix);
        foreach (var (key, value) in Settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        Service = ServiceProcess.Start("Knowledge", environment);
        Channel = GrpcChannel.ForAddress(Service.Address);
        Client = new KnowledgeService.KnowledgeServiceClient(Channel);
        await Service.WaitForServingAsync();
    }

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        await Service.DisposeAsync();
        await RabbitMqAdmin.DeleteAsync(Platform.RabbitMq, [AnnouncementQueue], []);
        await using var dataSource = NpgsqlDataSource.Create(Platform.Postgres);
        await using var drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS {Schema} CASCADE");
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// The next KnowledgeVersionPublished this host's process sent: the message inside MassTransit's envelope. The
    /// exchange is a fanout shared by every knowledge service running now (other test classes' hosts too), so
    /// messages from other processes are skipped by the envelope's host.processId.
    /// </summary>
    public async Task<System.Text.Json.JsonElement> NextAnnouncementAsync()
    {
        while (true)
        {
            var delivery = await RabbitMqAdmin.TakeAsync(Platform.RabbitMq, AnnouncementQueue, TimeSpan.FromSeconds(30));
            using var envelope = System.Text.Json.JsonDocument.Parse(delivery.Body);
            if (envelope.RootElement.GetProperty("host").GetProperty("processId").GetInt32() == Service.ProcessId)
            {
                return envelope.RootElement.GetProperty("message").Clone();
            }
        }
    }

    private async Task BindAnnouncementQueueAsync()
    {
        var factory = new RabbitMQ.Client.ConnectionFactory { Uri = new Uri(Platform.RabbitMq) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        // MassTransit declares message-type exchanges durable fanout; declaring it the same way first is harmless.
        await channel.ExchangeDeclareAsync(AnnouncementExchange, RabbitMQ.Client.ExchangeType.Fanout, durable: true, autoDelete: false);
        await channel.QueueDeclareAsync(AnnouncementQueue, durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync(AnnouncementQueue, AnnouncementExchange, string.Empty);
    }
}
