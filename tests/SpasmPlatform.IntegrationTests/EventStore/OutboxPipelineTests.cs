using Microsoft.Extensions.Logging.Abstractions;
using SpasmPlatform.EventStore.Outbox;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>
/// The relay hands a stream's messages to the bus without waiting for each confirm; these tests drive the confirms by
/// hand (out of order, one failing) to check that only a confirmed prefix of each stream is ever marked sent.
/// </summary>
public sealed class OutboxPipelineTests : IAsyncLifetime
{
    private readonly EventStoreDatabase _db = new();

    public Task InitializeAsync() => _db.InitializeAsync();

    public Task DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task Confirms_arriving_out_of_order_with_one_failure_mark_only_the_prefix_before_it_and_the_next_batch_resumes_there()
    {
        var store = await _db.CreateStoreAsync();
        var publisher = new ScriptedPublisher();
        // The pipelined opt-in: the strict default (1) never has more than one publish of a stream in flight.
        var options = new OutboxRelayOptions { MaxInFlightPerStream = 64 };
        options.MessageTypes.Register<OutboxProbe>();
        using var relay = new OutboxRelay(store, publisher, options, NullLogger<OutboxRelay>.Instance);
        var written = new List<Guid>();
        for (var sequence = 1; sequence <= 10; sequence++)
        {
            written.Add(await OutboxTable.WriteAsync(store, options.MessageTypes, "patient-a", sequence));
        }

        var batch = relay.RelayPendingAsync(100);
        // The first goes alone (it may set up the bus's endpoint and channel), then the other nine without waiting.
        await Eventually.WaitAsync(() => publisher.Published.Count == 1, TimeSpan.FromSeconds(30), "the first publish to start");
        Assert.Single(publisher.Published);
        publisher.Published[0].Confirm.SetResult();
        await Eventually.WaitAsync(() => publisher.Published.Count == 10, TimeSpan.FromSeconds(30), "nine more publishes to start");
        Assert.Equal(Enumerable.Range(1, 10), publisher.Published.Select(p => p.Probe.Sequence));
        // The broker confirms the later ones first, and the fourth fails.
        foreach (var (probe, confirm) in publisher.Published.Skip(1).Reverse())
        {
            if (probe.Sequence == 4)
            {
                confirm.SetException(new InvalidOperationException("nacked by the test"));
            }
            else
            {
                confirm.SetResult();
            }
        }

        var failed = await Assert.ThrowsAsync<OutboxPublishException>(() => batch);
        Assert.Equal(1, failed.Failed);
        Assert.Equal(3, failed.Published);
        var rows = await OutboxTable.ReadAsync(_db);
        Assert.Equal(written, rows.Select(r => r.MessageId));
        Assert.All(rows.Take(3), row => Assert.NotNull(row.SentAt));
        Assert.All(rows.Skip(3), row => Assert.Null(row.SentAt));
        Assert.Contains("nacked by the test", rows[3].LastError, StringComparison.Ordinal);

        // Confirmed after the failure yet not marked: they go out again, after the failed one.
        publisher.ConfirmImmediately = true;
        Assert.Equal(7, await relay.RelayPendingAsync(100));
        Assert.Equal(Enumerable.Range(4, 7), publisher.Published.Skip(10).Select(p => p.Probe.Sequence));
        Assert.All(await OutboxTable.ReadAsync(_db), row => Assert.NotNull(row.SentAt));
    }

    [Fact]
    public async Task No_more_than_the_in_flight_limit_of_a_stream_waits_for_confirms()
    {
        var store = await _db.CreateStoreAsync();
        var publisher = new ScriptedPublisher();
        var options = new OutboxRelayOptions { MaxInFlightPerStream = 3 };
        options.MessageTypes.Register<OutboxProbe>();
        using var relay = new OutboxRelay(store, publisher, options, NullLogger<OutboxRelay>.Instance);
        for (var sequence = 1; sequence <= 5; sequence++)
        {
            await OutboxTable.WriteAsync(store, options.MessageTypes, "patient-b", sequence);
        }

        var batch = relay.RelayPendingAsync(100);
        await Eventually.WaitAsync(() => publisher.Published.Count == 1, TimeSpan.FromSeconds(30), "the first publish to start");
        publisher.Published[0].Confirm.SetResult();
        await Eventually.WaitAsync(() => publisher.Published.Count == 4, TimeSpan.FromSeconds(30), "three more publishes to start");
        Assert.Equal(4, publisher.Published.Count);
        // The last confirm frees nothing: the oldest unconfirmed one holds the window.
        publisher.Published[3].Confirm.SetResult();
        publisher.Published[1].Confirm.SetResult();
        await Eventually.WaitAsync(() => publisher.Published.Count == 5, TimeSpan.FromSeconds(30), "the fifth publish to start");
        publisher.Published[2].Confirm.SetResult();
        publisher.Published[4].Confirm.SetResult();

        Assert.Equal(5, await batch);
        Assert.Equal(Enumerable.Range(1, 5), publisher.Published.Select(p => p.Probe.Sequence));
        Assert.All(await OutboxTable.ReadAsync(_db), row => Assert.NotNull(row.SentAt));
    }
}
