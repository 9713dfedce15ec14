using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Outbox;
using SpasmPlatform.EventStore.Streams;
using SpasmPlatform.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>The outbox relay against the real PostgreSQL and RabbitMQ; every test has a schema and queues of its own.</summary>
public sealed class OutboxRelayTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Arrival = TimeSpan.FromSeconds(60);

    private readonly EventStoreDatabase _db = new();
    private readonly ILoggerFactory _logging = LoggerFactory.Create(logging => logging.AddProvider(new TestOutputLoggerProvider(output)));

    public Task InitializeAsync() => _db.InitializeAsync();

    public async Task DisposeAsync()
    {
        _logging.Dispose();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Messages_written_with_events_arrive_in_order_per_stream_carrying_their_message_ids_and_headers()
    {
        await using var consumer = await ProbeBus<OutboxProbe>.StartAsync(Platform.RabbitMq);
        using var host = RelayHost(consumer);
        await host.StartAsync();
        try
        {
            await Eventually.WaitAsync(() => OutboxTable.RelayIsListeningAsync(_db), TimeSpan.FromSeconds(30), "the relay to LISTEN");
            var store = host.Services.GetRequiredService<MartenEventStore>();
            var types = host.Services.GetRequiredService<IntegrationMessageTypes>();
            string[] streams = ["patient-a", "patient-b", "patient-c", "patient-d"];
            var written = new Dictionary<Guid, (string Stream, int Sequence)>();
            for (var sequence = 1; sequence <= 25; sequence++)
            {
                // Interleaved, so ids of one stream are spread over the outbox and over batches.
                foreach (var stream in streams)
                {
                    written[await OutboxTable.WriteAsync(store, types, stream, sequence)] = (stream, sequence);
                }
            }

            await consumer.Deliveries.WaitForAsync(written.Keys, Arrival);

            var deliveries = consumer.Deliveries.All;
            Assert.Equal(written.Count, deliveries.Count);
            foreach (var delivery in deliveries)
            {
                Assert.Equal(written[delivery.MessageId!.Value], (delivery.Message.StreamId, delivery.Message.Sequence));
                Assert.Equal("clinic-7", delivery.Headers["x-clinic"]);
            }

            OutboxTable.AssertInOrderPerStream(deliveries, streams.ToDictionary(s => s, _ => 25));
            await Eventually.WaitAsync(
                async () => (await OutboxTable.ReadAsync(_db)).All(row => row.SentAt is not null),
                TimeSpan.FromSeconds(10),
                "every outbox row to be marked sent");
            Assert.All(await OutboxTable.ReadAsync(_db), row => Assert.Equal(1, row.Attempts));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Messages_committed_by_another_process_wake_the_relay_by_a_notify_sent_after_the_commit()
    {
        await using var consumer = await ProbeBus<OutboxProbe>.StartAsync(Platform.RabbitMq);
        using var host = RelayHost(consumer);
        await host.StartAsync();
        try
        {
            await Eventually.WaitAsync(() => OutboxTable.RelayIsListeningAsync(_db), TimeSpan.FromSeconds(30), "the relay to LISTEN");
            // Another store on the same schema stands for another instance of the service: its commits cannot wake
            // this relay in-process, only through PostgreSQL.
            var elsewhere = await _db.CreateStoreAsync();
            var types = host.Services.GetRequiredService<IntegrationMessageTypes>();
            var written = new List<Guid>();
            for (var sequence = 1; sequence <= 5; sequence++)
            {
                written.Add(await OutboxTable.WriteAsync(elsewhere, types, "patient-elsewhere", sequence));
            }

            await consumer.Deliveries.WaitForAsync(written, TimeSpan.FromSeconds(30));
            Assert.Equal(written, consumer.Deliveries.All.Select(d => d.MessageId!.Value));

            // The writing transactions notify nobody themselves: no trigger on the outbox serialises their commits.
            Assert.Equal(0, await _db.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM pg_trigger WHERE tgrelid = '{schema}.outbox'::regclass AND NOT tgisinternal"));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task A_rolled_back_session_publishes_nothing()
    {
        await using var consumer = await ProbeBus<OutboxProbe>.StartAsync(Platform.RabbitMq);
        var store = await _db.CreateStoreAsync();
        var options = RelayOptions();
        using var relay = new OutboxRelay(store, consumer.Bus, options, Logger());

        var rolledBack = options.MessageTypes.Create(new OutboxProbe("patient-x", 1, "never committed"), "patient-x");
        await using (var session = await store.OpenSessionAsync())
        {
            await session.AppendAsync("patient-x", "probe", ExpectedVersion.Any, [OutboxTable.ProbeEvent(1)]);
            session.Publish(rolledBack);
        }

        var committed = await OutboxTable.WriteAsync(store, options.MessageTypes, "patient-y", 1);

        Assert.Equal(1, await relay.RelayPendingAsync(100));
        await consumer.Deliveries.WaitForAsync([committed], Arrival);
        Assert.Equal(0, await relay.RelayPendingAsync(100));

        // One queue, one message at a time: had the rolled-back message been published, it would have come first.
        Assert.Equal([committed], consumer.Deliveries.All.Select(d => d.MessageId!.Value));
        Assert.Equal([committed], (await OutboxTable.ReadAsync(_db)).Select(row => row.MessageId));
        Assert.Null(await store.GetStreamAsync("patient-x"));
    }

    [Fact]
    public async Task Two_relays_on_one_schema_publish_each_message_once_and_every_stream_in_order()
    {
        await using var consumer = await ProbeBus<OutboxProbe>.StartAsync(Platform.RabbitMq);
        var store = await _db.CreateStoreAsync();
        var options = RelayOptions();
        // Small batches: the two relays take turns many times while the writers are still writing.
        options.BatchSize = 7;
        using var first = new OutboxRelay(store, consumer.Bus, options, Logger());
        using var second = new OutboxRelay(store, consumer.Bus, options, Logger());
        await first.StartAsync(CancellationToken.None);
        await second.StartAsync(CancellationToken.None);
        try
        {
            string[] streams = ["patient-1", "patient-2", "patient-3", "patient-4", "patient-5"];
            var writers = streams.Select(async stream =>
            {
                var ids = new List<Guid>();
                for (var sequence = 1; sequence <= 40; sequence++)
                {
                    ids.Add(await OutboxTable.WriteAsync(store, options.MessageTypes, stream, sequence));
                }

                return ids;
            });
            var written = (await Task.WhenAll(writers)).SelectMany(ids => ids).ToList();

            await consumer.Deliveries.WaitForAsync(written, Arrival);

            // Without the schema's lock both relays would read the same unsent rows and publish them twice.
            var deliveries = consumer.Deliveries.All;
            Assert.Equal(written.Count, deliveries.Count);
            Assert.Equal(written.Order(), deliveries.Select(d => d.MessageId!.Value).Order());
            OutboxTable.AssertInOrderPerStream(deliveries, streams.ToDictionary(s => s, _ => 40));
        }
        finally
        {
            await first.StopAsync(CancellationToken.None);
            await second.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task One_long_stream_pipelined_through_the_broker_arrives_in_order_from_a_cold_bus()
    {
        await using var consumer = await ProbeBus<OutboxProbe>.StartAsync(Platform.RabbitMq);
        var store = await _db.CreateStoreAsync();
        var options = RelayOptions();
        using var relay = new OutboxRelay(store, consumer.Bus, options, Logger());
        var written = new List<Guid>();
        for (var sequence = 1; sequence <= 300; sequence++)
        {
            written.Add(await OutboxTable.WriteAsync(store, options.MessageTypes, "patient-long", sequence));
        }

        // Nothing was published on this bus before: the first batch also meets MassTransit's endpoint and channel set-up.
        var published = 0;
        while (published < written.Count)
        {
            published += await relay.RelayPendingAsync(120);
        }

        await consumer.Deliveries.WaitForAsync(written, Arrival);
        var deliveries = consumer.Deliveries.All;
        Assert.Equal(written.Count, deliveries.Count);
        OutboxTable.AssertInOrderPerStream(deliveries, new Dictionary<string, int> { ["patient-long"] = 300 });
    }

    [Fact]
    public async Task A_message_the_relay_cannot_publish_holds_back_its_own_stream_only()
    {
        await using var consumer = await ProbeBus<OutboxProbe>.StartAsync(Platform.RabbitMq);
        var store = await _db.CreateStoreAsync();
        var options = RelayOptions();
        using var relay = new OutboxRelay(store, consumer.Bus, options, Logger());

        // Written by a service that knew a type this relay does not (an older build, say).
        var unknown = new OutboxMessage(Guid.CreateVersion7(), "SpasmPlatform.Contracts.Retired.PatientMerged", """{"patient": "a"}""", "patient-a");
        await store.AppendAsync("patient-a", "probe", ExpectedVersion.Any, [OutboxTable.ProbeEvent(1)], [unknown]);
        var behindIt = await OutboxTable.WriteAsync(store, options.MessageTypes, "patient-a", 2);
        var otherStream = await OutboxTable.WriteAsync(store, options.MessageTypes, "patient-b", 1);

        Assert.Equal(1, await relay.RelayPendingAsync(100));
        await consumer.Deliveries.WaitForAsync([otherStream], Arrival);
        // Held back rows are not read again, so they cost nothing and block nobody.
        Assert.Equal(0, await relay.RelayPendingAsync(100));

        var rows = (await OutboxTable.ReadAsync(_db)).ToDictionary(row => row.MessageId);
        Assert.Null(rows[unknown.MessageId].SentAt);
        Assert.Equal(1, rows[unknown.MessageId].Attempts);
        Assert.Contains("is not registered", rows[unknown.MessageId].LastError, StringComparison.Ordinal);
        Assert.Null(rows[behindIt].SentAt);
        Assert.Equal(0, rows[behindIt].Attempts);
        Assert.NotNull(rows[otherStream].SentAt);
        Assert.Equal([otherStream], consumer.Deliveries.All.Select(d => d.MessageId!.Value));
    }

    /// <summary>
    /// A host with the event store, the bus and the relay as a service wires them; the relay polls only every
    /// 10 minutes, far beyond any test's deadline, so only a wake-up after a commit gets messages out in time.
    /// </summary>
    private IHost RelayHost(ProbeBus<OutboxProbe> consumer)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.AddProvider(new TestOutputLoggerProvider(output));
        builder.Services.AddSingleton(_db.DataSource);
        builder.Services.AddEventStore(options =>
        {
            options.Schema = _db.Schema;
            options.Types.Register<ProbeRecorded>(TestEvents.ProbeRecordedName);
        });
        builder.Services.AddMassTransit(bus => bus.UsingRabbitMq((_, cfg) =>
        {
            cfg.Host(new Uri(Platform.RabbitMq));
            consumer.ConfigurePublisher(cfg);
        }));
        builder.Services.AddOutboxRelay(options =>
        {
            options.MessageTypes.Register<OutboxProbe>();
            options.PollInterval = TimeSpan.FromMinutes(10);
        });
        return builder.Build();
    }

    private static OutboxRelayOptions RelayOptions()
    {
        var options = new OutboxRelayOptions { PollInterval = TimeSpan.FromSeconds(1) };
        options.MessageTypes.Register<OutboxProbe>();
        return options;
    }

    private ILogger<OutboxRelay> Logger() => _logging.CreateLogger<OutboxRelay>();
}
