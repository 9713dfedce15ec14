using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using RabbitMQ.Client;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Outbox;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.Bench.EventStore;

/// <summary>The integration message the relay publishes: a class in a namespace, as MassTransit routes by its name.</summary>
public sealed record AnswerRecordedIntegration(
    Guid AssessmentId,
    Guid PatientId,
    string QuestionId,
    int Score,
    string AnswerCode,
    DateTimeOffset AnsweredAt,
    string RecordedBy,
    string Source,
    long Sequence);

/// <summary>How the backlog's messages are spread over streams; the relay keeps each stream's messages in order.</summary>
public sealed record RelayScenario(string Name, int Streams, bool WithStreamId);

public sealed record RelayRun(RelayScenario Scenario, int Repeat, int Messages, double Seconds, double WriteSeconds, WindowStats Window)
{
    public double MessagesPerSecond => Messages / Seconds;
}

public sealed record RelayReport(IReadOnlyList<RelayRun> Runs, IReadOnlyList<RelayRun> BusOnly, int BatchSize, int MaxConcurrentStreams, int MaxInFlightPerStream, string Exchange);

/// <summary>
/// The outbox relay (SpasmPlatform.EventStore.Outbox.OutboxRelay) draining a backlog of N messages to RabbitMQ through
/// MassTransit, with its default options. The backlog is written the way a service writes it: each transaction appends
/// 10 events to a stream and queues 10 messages with them (EventStoreSession.Publish). The timed part is
/// <see cref="OutboxRelay.RelayPendingAsync"/> called until every row is marked sent: lock, read a batch, publish with
/// publisher confirms (a stream's messages pipelined in order, up to 32 streams at once), mark sent, commit.
/// The message type's exchange (a name of its own) is bound to a durable queue with no consumer, so the broker routes and
/// persists every message as it would for a real subscriber; the queue's count is checked after each run, then purged.
/// The reference is the same bus publishing the same messages with no database: 32 publishers, each awaiting its confirm.
/// </summary>
public sealed class RelayBench(MartenEventStore store, NpgsqlDataSource dataSource, Probe probe, string amqpUri, int messages, int repeats, int inFlightPerStream)
{
    public static readonly RelayScenario[] Scenarios =
    [
        new("100 streams", 100, true),
        new("1 stream", 1, true),
        new("no stream id", 100, false),
    ];

    public async Task<RelayReport> RunAsync(string tag, Action<string> log)
    {
        var exchange = $"esbench-{tag}-answer-recorded";
        var queue = $"esbench-{tag}-subscriber";
        var services = new ServiceCollection();
        services.AddMassTransit(bus => bus.UsingRabbitMq((_, cfg) =>
        {
            cfg.Host(new Uri(amqpUri));
            cfg.Message<AnswerRecordedIntegration>(m => m.SetEntityName(exchange));
        }));
        await using var provider = services.BuildServiceProvider();
        var bus = provider.GetRequiredService<IBusControl>();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await bus.StartAsync(timeout.Token).ConfigureAwait(false);
        }

        await using var broker = await new ConnectionFactory { Uri = new Uri(amqpUri) }.CreateConnectionAsync().ConfigureAwait(false);
        await using var channel = await broker.CreateChannelAsync().ConfigureAwait(false);
        // The exchange as MassTransit declares it (fanout, durable), with a durable queue bound: a subscriber that never reads.
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false).ConfigureAwait(false);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false).ConfigureAwait(false);
        await channel.QueueBindAsync(queue, exchange, routingKey: string.Empty).ConfigureAwait(false);

        // Messages of one stream handed to the bus before their confirms: 1, the default, is strict per-stream order.
        var options = new OutboxRelayOptions { MaxInFlightPerStream = inFlightPerStream };
        options.MessageTypes.Register<AnswerRecordedIntegration>();
        var relay = new OutboxRelay(store, bus, options, NullLogger<OutboxRelay>.Instance);
        var runs = new List<RelayRun>();
        var busOnly = new List<RelayRun>();
        try
        {
            // Untimed: JIT, MassTransit's send topology, the relay's plans and the pool, before the first measured drain.
            await RelayOnceAsync(relay, options, Scenarios[0], 0, tag, channel, queue, Math.Min(messages, 2_000)).ConfigureAwait(false);
            await BusOnlyAsync(bus, 0, options.MaxConcurrentStreams, channel, queue, Math.Min(messages, 2_000)).ConfigureAwait(false);
            for (var repeat = 1; repeat <= repeats; repeat++)
            {
                foreach (var scenario in Scenarios)
                {
                    var run = await RelayOnceAsync(relay, options, scenario, repeat, tag, channel, queue, messages).ConfigureAwait(false);
                    runs.Add(run);
                    log($"relay {repeat}/{repeats} {scenario.Name,-13}: {run.MessagesPerSecond,7:F0} messages/s ({run.Seconds:F2} s for {run.Messages}; " +
                        $"backlog written in {run.WriteSeconds:F1} s)  cpu bench/pg/other {run.Window.BenchCores:F2}/{run.Window.BackendCores:F2}/{run.Window.OtherCores:F2}");
                }

                // The bus alone with as many publishers as the relay has streams at once (its ceiling across streams), and
                // with one (the ceiling for one stream in strict order: a confirm round trip per message).
                foreach (var publishers in new[] { options.MaxConcurrentStreams, 1 })
                {
                    var reference = await BusOnlyAsync(bus, repeat, publishers, channel, queue, publishers == 1 ? messages / 5 : messages).ConfigureAwait(false);
                    busOnly.Add(reference);
                    log($"relay {repeat}/{repeats} {reference.Scenario.Name,-13}: {reference.MessagesPerSecond,7:F0} messages/s (awaiting each confirm, no database)");
                }
            }
        }
        finally
        {
            await channel.QueueDeleteAsync(queue).ConfigureAwait(false);
            await channel.ExchangeDeleteAsync(exchange).ConfigureAwait(false);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await bus.StopAsync(timeout.Token).ConfigureAwait(false);
        }

        return new RelayReport(runs, busOnly, options.BatchSize, options.MaxConcurrentStreams, options.MaxInFlightPerStream, exchange);
    }

    private async Task<RelayRun> RelayOnceAsync(OutboxRelay relay, OutboxRelayOptions options, RelayScenario scenario, int repeat, string tag, IChannel channel, string queue, int messages)
    {
        var writeSeconds = await WriteBacklogAsync(options.MessageTypes, scenario, $"{tag}-relay-r{repeat}-{scenario.Streams}-{(scenario.WithStreamId ? "s" : "n")}", messages).ConfigureAwait(false);
        if (await UnsentAsync().ConfigureAwait(false) != messages)
        {
            throw new InvalidOperationException($"relay {scenario.Name}: the outbox does not hold exactly the {messages} new messages");
        }

        var queued = (await channel.QueueDeclarePassiveAsync(queue).ConfigureAwait(false)).MessageCount;
        var pids = await probe.BackendPidsAsync().ConfigureAwait(false);
        var before = await probe.SnapshotAsync(pids).ConfigureAwait(false);
        var start = Stopwatch.GetTimestamp();
        var published = 0;
        while (published < messages)
        {
            var batch = await relay.RelayPendingAsync(options.BatchSize).ConfigureAwait(false);
            if (batch == 0)
            {
                throw new InvalidOperationException($"relay {scenario.Name}: stopped after {published} of {messages} messages");
            }

            published += batch;
        }

        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var after = await probe.SnapshotAsync(pids).ConfigureAwait(false);
        if (published != messages || await UnsentAsync().ConfigureAwait(false) != 0)
        {
            throw new InvalidOperationException($"relay {scenario.Name}: published {published}, expected {messages}, or rows are left unsent");
        }

        await WaitForQueueAsync(channel, queue, queued + (uint)messages).ConfigureAwait(false);
        await channel.QueuePurgeAsync(queue).ConfigureAwait(false);
        return new RelayRun(scenario, repeat, messages, seconds, writeSeconds, probe.Between(before, after));
    }

    /// <summary>Appends 10 events per transaction, each with its outbox message, spread round robin over the scenario's streams.</summary>
    private async Task<double> WriteBacklogAsync(IntegrationMessageTypes types, RelayScenario scenario, string prefix, int messages)
    {
        const int PerAppend = 10;
        var start = Stopwatch.GetTimestamp();
        var payloads = new PayloadFactory(99);
        var streams = Enumerable.Range(0, scenario.Streams).Select(s => new WriterStream($"{prefix}-{s}")).ToArray();
        var patient = Guid.NewGuid();
        var written = 0;
        var next = 0;
        while (written < messages)
        {
            var stream = streams[next];
            next = (next + 1) % streams.Length;
            var count = Math.Min(PerAppend, messages - written);
            var metadata = payloads.NewMetadata();
            var events = new NewEvent[count];
            var outbox = new OutboxMessage[count];
            for (var i = 0; i < count; i++)
            {
                var sequence = stream.Version + i + 1;
                events[i] = new NewEvent(Guid.CreateVersion7(), PayloadFactory.EventType, payloads.NewData(stream.AssessmentId, sequence), metadata);
                outbox[i] = types.Create(
                    new AnswerRecordedIntegration(stream.AssessmentId, patient, $"phq9-q{(sequence % 9) + 1:D2}", (int)(sequence % 4),
                        "more_than_half", DateTimeOffset.UtcNow, "clinician:u-000042", "tablet-intake", sequence),
                    scenario.WithStreamId ? stream.Id : null,
                    new Dictionary<string, string> { ["x-tenant"] = "tenant-0042", ["x-correlation-id"] = metadata.CorrelationId! });
            }

            var result = await store.AppendAsync(stream.Id, PayloadFactory.StreamType, ExpectedVersion.Exactly(stream.Version), events, outbox).ConfigureAwait(false);
            stream.Version = result.NewVersion;
            written += count;
        }

        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private async Task<RelayRun> BusOnlyAsync(IBus bus, int repeat, int publishers, IChannel channel, string queue, int messages)
    {
        var queued = (await channel.QueueDeclarePassiveAsync(queue).ConfigureAwait(false)).MessageCount;
        var patient = Guid.NewGuid();
        var headers = new Dictionary<string, string> { ["x-tenant"] = "tenant-0042", ["x-correlation-id"] = Guid.NewGuid().ToString("N") };
        var pids = await probe.BackendPidsAsync().ConfigureAwait(false);
        var before = await probe.SnapshotAsync(pids).ConfigureAwait(false);
        var start = Stopwatch.GetTimestamp();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, publishers).Select(_ => Task.Run(async () =>
        {
            int sequence;
            while ((sequence = Interlocked.Increment(ref next)) < messages)
            {
                var message = new AnswerRecordedIntegration(Guid.NewGuid(), patient, $"phq9-q{(sequence % 9) + 1:D2}", sequence % 4,
                    "more_than_half", DateTimeOffset.UtcNow, "clinician:u-000042", "tablet-intake", sequence);
                await bus.Publish(message, context =>
                {
                    context.MessageId = Guid.CreateVersion7();
                    foreach (var (name, value) in headers)
                    {
                        context.Headers.Set(name, value);
                    }
                }).ConfigureAwait(false);
            }
        }))).ConfigureAwait(false);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var after = await probe.SnapshotAsync(pids).ConfigureAwait(false);
        await WaitForQueueAsync(channel, queue, queued + (uint)messages).ConfigureAwait(false);
        await channel.QueuePurgeAsync(queue).ConfigureAwait(false);
        return new RelayRun(new RelayScenario($"bus alone, {publishers} publisher{(publishers == 1 ? string.Empty : "s")}", publishers, true), repeat, messages, seconds, 0, probe.Between(before, after));
    }

    private async Task<long> UnsentAsync()
    {
        await using var command = dataSource.CreateCommand($"SELECT count(*) FROM {store.Schema}.outbox WHERE sent_at IS NULL");
        return (long)(await command.ExecuteScalarAsync().ConfigureAwait(false))!;
    }

    /// <summary>Every confirmed message must be in the queue (confirms mean routed and persisted; the count is read at once).</summary>
    private static async Task WaitForQueueAsync(IChannel channel, string queue, uint expected)
    {
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 10);
        uint count;
        while ((count = (await channel.QueueDeclarePassiveAsync(queue).ConfigureAwait(false)).MessageCount) < expected)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new InvalidOperationException($"queue {queue} holds {count} messages, expected {expected}");
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        if (count != expected)
        {
            throw new InvalidOperationException($"queue {queue} holds {count} messages, expected {expected}: something was published twice");
        }
    }
}
