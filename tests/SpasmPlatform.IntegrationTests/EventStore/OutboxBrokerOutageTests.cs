using Microsoft.Extensions.Logging;
using SpasmPlatform.EventStore.Outbox;
using SpasmPlatform.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>
/// The broker goes away while the relay is publishing and comes back. Runs on a private RabbitMQ node of its own:
/// the shared broker serves other tests and services and must never be stopped.
/// </summary>
public sealed class OutboxBrokerOutageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly EventStoreDatabase _db = new();
    private readonly ILoggerFactory _logging = LoggerFactory.Create(logging => logging.AddProvider(new TestOutputLoggerProvider(output)));

    public Task InitializeAsync() => _db.InitializeAsync();

    public async Task DisposeAsync()
    {
        _logging.Dispose();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Every_message_arrives_after_the_broker_is_stopped_mid_flow_and_restarted()
    {
        await using var node = await PrivateRabbitMqNode.StartNewAsync();
        await using var consumer = await ProbeBus<OutboxProbe>.StartAsync(node.Uri);
        var store = await _db.CreateStoreAsync();
        var options = new OutboxRelayOptions
        {
            PublishTimeout = TimeSpan.FromSeconds(2),
            RetryDelay = TimeSpan.FromMilliseconds(100),
            MaxRetryDelay = TimeSpan.FromSeconds(1),
            PollInterval = TimeSpan.FromSeconds(1),
        };
        options.MessageTypes.Register<OutboxProbe>();
        using var relay = new OutboxRelay(store, consumer.Bus, options, _logging.CreateLogger<OutboxRelay>());
        await relay.StartAsync(CancellationToken.None);
        try
        {
            string[] streams = ["patient-a", "patient-b", "patient-c", "patient-d"];
            var written = new List<Guid>();
            for (var sequence = 1; sequence <= 25; sequence++)
            {
                foreach (var stream in streams)
                {
                    written.Add(await OutboxTable.WriteAsync(store, options.MessageTypes, stream, sequence));
                }
            }

            // Mid-flow: the first messages are through, the relay and the consumer are busy with the rest.
            await Eventually.WaitAsync(() => consumer.Deliveries.All.Count > 0, TimeSpan.FromSeconds(30), "the first delivery");
            await node.StopAsync();

            for (var sequence = 26; sequence <= 50; sequence++)
            {
                foreach (var stream in streams)
                {
                    written.Add(await OutboxTable.WriteAsync(store, options.MessageTypes, stream, sequence));
                }
            }

            // Proof that the relay met the outage: a row it tried and could not publish, kept unsent with the error.
            await Eventually.WaitAsync(
                async () => (await OutboxTable.ReadAsync(_db)).Any(row => row.SentAt is null && row.Attempts > 0 && row.LastError is not null),
                TimeSpan.FromSeconds(30),
                "a failed publish to be recorded");
            Assert.Contains(await OutboxTable.ReadAsync(_db), row => row.SentAt is null);

            await node.StartAsync();
            await consumer.Deliveries.WaitForAsync(written, TimeSpan.FromSeconds(120));

            var deliveries = consumer.Deliveries.All;
            Assert.Equal(written.Order(), deliveries.Select(d => d.MessageId!.Value).Distinct().Order());
            OutboxTable.AssertInOrderPerStream(deliveries, streams.ToDictionary(s => s, _ => 50));
            output.WriteLine($"{deliveries.Count} deliveries for {written.Count} messages (redeliveries after the restart are allowed).");

            await Eventually.WaitAsync(
                async () => (await OutboxTable.ReadAsync(_db)).All(row => row.SentAt is not null),
                TimeSpan.FromSeconds(30),
                "every outbox row to be marked sent");
            var rows = await OutboxTable.ReadAsync(_db);
            Assert.Contains(rows, row => row.Attempts > 1 && row.LastError is not null);
        }
        finally
        {
            await relay.StopAsync(CancellationToken.None);
        }
    }
}
