using System.Text;
using MassTransit;
using Microsoft.Extensions.Logging;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Inbox;
using SpasmPlatform.EventStore.Outbox;
using SpasmPlatform.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>Idempotent consumers on the real broker and database: redeliveries have no second effect, failures are not dropped.</summary>
public sealed class InboxConsumerTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Arrival = TimeSpan.FromSeconds(60);
    private static readonly string ConsumerName = typeof(AppendingProbeConsumer).FullName!;

    private readonly EventStoreDatabase _db = new();
    private readonly ILoggerFactory _logging = LoggerFactory.Create(logging => logging.AddProvider(new TestOutputLoggerProvider(output)));

    public Task InitializeAsync() => _db.InitializeAsync();

    public async Task DisposeAsync()
    {
        _logging.Dispose();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task The_same_message_delivered_three_times_has_one_effect()
    {
        var store = await _db.CreateStoreAsync();
        var scenario = new InboxScenario(failuresBeforeSuccess: 0);
        await using var bus = await InboxBus.StartAsync(store, scenario, InboxRetryPolicy.Default);

        var messageId = Guid.NewGuid();
        var probe = new InboxProbe("patient-dup", "three times");
        // Published together: the endpoint consumes concurrently, so the copies also race each other to the inbox.
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => bus.Bus.Publish(probe, context => context.MessageId = messageId)));

        await Eventually.WaitAsync(() => bus.Consumed.Completed == 3, Arrival, "three deliveries to be consumed");
        Assert.Equal(0, bus.Consumed.Faulted);
        Assert.Equal(1, scenario.Attempts);
        Assert.Single(await store.ReadStreamAsync("patient-dup"));
        Assert.Equal([(ConsumerName, messageId)], await InboxRowsAsync());
    }

    [Fact]
    public async Task A_failing_consumer_is_retried_then_moved_to_the_error_queue_with_its_exception()
    {
        var store = await _db.CreateStoreAsync();
        var scenario = new InboxScenario(failuresBeforeSuccess: int.MaxValue);
        await using var bus = await InboxBus.StartAsync(store, scenario, InboxRetryPolicy.Immediate(2));

        var messageId = Guid.NewGuid();
        await bus.Bus.Publish(new InboxProbe("patient-fail", "always fails"), context => context.MessageId = messageId);

        var dead = await RabbitMqAdmin.TakeAsync(Platform.RabbitMq, $"{bus.Queue}_error", Arrival);
        Assert.Equal(messageId.ToString(), dead.BasicProperties.MessageId);
        var headers = dead.BasicProperties.Headers!;
        Assert.Equal(typeof(InvalidOperationException).FullName, Header(headers, MessageHeaders.FaultExceptionType));
        Assert.Equal("probe failure on patient-fail", Header(headers, MessageHeaders.FaultMessage));
        Assert.Equal("fault", Header(headers, MessageHeaders.Reason));
        Assert.Equal(2, Convert.ToInt32(headers[MessageHeaders.FaultRetryCount], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("patient-fail", Encoding.UTF8.GetString(dead.Body.Span), StringComparison.Ordinal);

        // The first attempt and both retries ran, and each rolled back its append and its inbox mark.
        Assert.Equal(3, scenario.Attempts);
        Assert.Null(await store.GetStreamAsync("patient-fail"));
        Assert.Empty(await InboxRowsAsync());
    }

    [Fact]
    public async Task A_failed_attempt_leaves_nothing_behind_and_the_retry_commits_once()
    {
        var store = await _db.CreateStoreAsync();
        var scenario = new InboxScenario(failuresBeforeSuccess: 1);
        await using var bus = await InboxBus.StartAsync(store, scenario, InboxRetryPolicy.Default);

        var messageId = Guid.NewGuid();
        await bus.Bus.Publish(new InboxProbe("patient-retry", "fails once"), context => context.MessageId = messageId);

        await Eventually.WaitAsync(() => bus.Consumed.Completed == 1, Arrival, "the message to be consumed");
        Assert.Equal(2, scenario.Attempts);
        Assert.Single(await store.ReadStreamAsync("patient-retry"));
        Assert.Equal([(ConsumerName, messageId)], await InboxRowsAsync());
        Assert.Equal(0u, await RabbitMqAdmin.MessageCountAsync(Platform.RabbitMq, $"{bus.Queue}_error"));
    }

    [Fact]
    public async Task A_message_the_relay_publishes_twice_is_recognised_by_its_outbox_message_id()
    {
        var store = await _db.CreateStoreAsync();
        var scenario = new InboxScenario(failuresBeforeSuccess: 0);
        await using var bus = await InboxBus.StartAsync(store, scenario, InboxRetryPolicy.Default);
        var options = new OutboxRelayOptions();
        options.MessageTypes.Register<InboxProbe>();
        using var relay = new OutboxRelay(store, bus.Bus, options, _logging.CreateLogger<OutboxRelay>());

        var message = options.MessageTypes.Create(new InboxProbe("patient-relay", "relayed twice"), "patient-relay");
        await using (var session = await store.OpenSessionAsync())
        {
            session.Publish(message);
            await session.CommitAsync();
        }

        Assert.Equal(1, await relay.RelayPendingAsync(10));
        await Eventually.WaitAsync(() => bus.Consumed.Completed == 1, Arrival, "the first delivery to be consumed");

        // As if the relay had died after the broker confirmed but before it marked the row: at-least-once publishes again.
        await _db.ExecuteAsync("UPDATE {schema}.outbox SET sent_at = NULL");
        Assert.Equal(1, await relay.RelayPendingAsync(10));
        await Eventually.WaitAsync(() => bus.Consumed.Completed == 2, Arrival, "the second delivery to be consumed");

        Assert.Equal(1, scenario.Attempts);
        Assert.Single(await store.ReadStreamAsync("patient-relay"));
        Assert.Equal([(ConsumerName, message.MessageId)], await InboxRowsAsync());
    }

    private static string? Header(IDictionary<string, object?> headers, string name) =>
        headers.TryGetValue(name, out var value) ? value switch
        {
            byte[] bytes => Encoding.UTF8.GetString(bytes),
            _ => value?.ToString(),
        } : null;

    private async Task<List<(string Consumer, Guid MessageId)>> InboxRowsAsync()
    {
        await using var command = _db.DataSource.CreateCommand($"SELECT consumer, message_id FROM {_db.Schema}.inbox ORDER BY processed_at");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, Guid)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetGuid(1)));
        }

        return rows;
    }
}
