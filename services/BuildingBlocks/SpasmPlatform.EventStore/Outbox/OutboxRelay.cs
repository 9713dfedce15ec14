using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Polly;
using Polly.Retry;
using SpasmPlatform.EventStore.Diagnostics;
using SpasmPlatform.EventStore.Serialization;

namespace SpasmPlatform.EventStore.Outbox;

/// <summary>
/// Publishes the outbox of one event store schema through MassTransit, at least once and in order per stream.
/// <list type="bullet">
/// <item>Each batch runs in one transaction that first takes a transaction-scoped advisory lock for the schema
/// (<c>pg_try_advisory_xact_lock</c>). A relay that does not get it publishes nothing, so however many instances run,
/// batches never overlap: the rows one batch publishes are marked sent before the next batch reads.</item>
/// <item>Within a batch, one stream's messages are handed to the bus in outbox id order without waiting for each one's
/// publisher confirm (MassTransit enables RabbitMQ publisher confirms by default), at most
/// <see cref="OutboxRelayOptions.MaxInFlightPerStream"/> unconfirmed at a time; different streams go in parallel. A row is
/// marked sent only when it and every earlier row of its stream in the batch were confirmed. After a failure nothing
/// more of the stream is started, and the next batch starts again from the failed one.</item>
/// <item>The stored message_id becomes MassTransit's MessageId, so consumers can recognise a redelivery (see the inbox).</item>
/// <item>A failed publish leaves its row unsent, counts the attempt and stores the error; the batch then fails and the
/// relay backs off exponentially (Polly) before trying again. A row that can never be published (type not registered,
/// unreadable body) is held back with its stream until restart, so the rest of the outbox keeps moving.</item>
/// <item>It wakes when a session of this process commits outbox rows, on the NOTIFY sent after a commit in another
/// process (see <see cref="OutboxSignal"/>), and polls as a fallback.</item>
/// </list>
/// Per-stream order is outbox id order. A session that appends to a stream holds that stream's row lock until it commits,
/// so for messages written alongside appends to their stream, id order is commit order.
/// </summary>
public sealed partial class OutboxRelay(
    MartenEventStore store,
    IPublishEndpoint publisher,
    OutboxRelayOptions options,
    ILogger<OutboxRelay> logger,
    IEnumerable<IOutboxMessageOpener>? openers = null)
    : BackgroundService
{
    private const int MaxErrorLength = 2000;

    /// <summary>The header MassTransit parents its consume activity on (DiagnosticHeaders.ActivityId).</summary>
    private const string MassTransitActivityIdHeader = "MT-Activity-Id";

    private readonly OutboxRelayOptions _options = Validated(options);
    private readonly Dictionary<Type, IOutboxMessageOpener> _openers = (openers ?? []).ToDictionary(o => o.MessageType);
    private readonly ResiliencePipeline _retry = BuildRetry(options, logger, store.Schema);
    // Never disposed on purpose: without AvailableWaitHandle a SemaphoreSlim holds nothing to release, and disposing
    // them could fault a loop that a host's stop timeout left running.
    private readonly SemaphoreSlim _batchGate = new(1, 1);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Lock _wakeLock = new();
    private readonly HashSet<string> _heldStreams = new(StringComparer.Ordinal);
    private readonly HashSet<long> _heldIds = [];

    /// <summary>
    /// Publishes at most <paramref name="batchSize"/> unsent messages and marks them sent; returns how many were published.
    /// Zero when nothing is pending or another relay holds this schema's lock at the moment.
    /// Throws <see cref="OutboxPublishException"/> after recording what did and did not go out when a publish failed.
    /// </summary>
    public async Task<int> RelayPendingAsync(int batchSize, CancellationToken cancellationToken = default) =>
        (await RelayBatchAsync(batchSize, cancellationToken).ConfigureAwait(false)).Published;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await _retry.ExecuteAsync(async token => await OutboxSchema.EnsureAsync(store, token).ConfigureAwait(false), stoppingToken).ConfigureAwait(false);
            var listener = ListenAsync(stoppingToken);
            store.OutboxSignal.Committed += Wake;
            try
            {
                while (true)
                {
                    await _retry.ExecuteAsync(async token => await DrainAsync(token).ConfigureAwait(false), stoppingToken).ConfigureAwait(false);
                    await _wake.WaitAsync(_options.PollInterval, stoppingToken).ConfigureAwait(false);
                }
            }
            finally
            {
                store.OutboxSignal.Committed -= Wake;
                await listener.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping; whatever was published is recorded, the rest waits for the next start.
        }
    }

    private static OutboxRelayOptions Validated(OutboxRelayOptions options)
    {
        options.Validate();
        return options;
    }

    private static ResiliencePipeline BuildRetry(OutboxRelayOptions options, ILogger logger, string schema) =>
        new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                // Everything but our own shutdown is worth another try: the broker or the database will come back.
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not null && !args.Context.CancellationToken.IsCancellationRequested),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = options.MaxRetryDelay,
                OnRetry = args =>
                {
                    LogRetrying(logger, args.Outcome.Exception, schema, args.AttemptNumber + 1, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        // A short batch means the outbox is empty (or another relay has it); a full one means there may be more.
        while ((await RelayBatchAsync(_options.BatchSize, cancellationToken).ConfigureAwait(false)).Read == _options.BatchSize)
        {
        }
    }

    private async Task<(int Read, int Published)> RelayBatchAsync(int batchSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        // Within one process batches also run one at a time: the held-back sets below are shared between them.
        await _batchGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await store.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            if (!await TryLockAsync(connection, transaction, cancellationToken).ConfigureAwait(false))
            {
                return (0, 0);
            }

            var rows = await ReadPendingAsync(connection, transaction, batchSize, cancellationToken).ConfigureAwait(false);
            if (rows.Count == 0)
            {
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return (0, 0);
            }

            var sent = new ConcurrentQueue<long>();
            var failures = new ConcurrentQueue<OutboxPublishFailure>();
            try
            {
                await PublishAsync(rows, sent, failures, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Stopping: record what went out first, then give up (below).
            }

            // Recorded even when stopping: what reached the broker must not be published again after a restart.
            await RecordAsync(connection, transaction, sent, failures, CancellationToken.None).ConfigureAwait(false);
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);

            HoldBack(failures.Where(f => f.Poisoned));
            cancellationToken.ThrowIfCancellationRequested();

            var brokerFailures = failures.Where(f => !f.Poisoned).ToList();
            if (brokerFailures.Count > 0)
            {
                throw new OutboxPublishException(brokerFailures.Count, sent.Count, brokerFailures[0].Error);
            }

            LogRelayed(logger, sent.Count, store.Schema);
            return (rows.Count, sent.Count);
        }
        finally
        {
            _batchGate.Release();
        }
    }

    private async Task<bool> TryLockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0))", connection, transaction);
        command.Parameters.AddWithValue($"spasm-outbox-relay:{store.Schema}");
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private async Task<List<PendingOutboxMessage>> ReadPendingAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int batchSize, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"""
            SELECT id, message_id, stream_id, message_type, body::text, headers::text, created_at
            FROM {store.Schema}.outbox
            WHERE sent_at IS NULL AND NOT (id = ANY ($2)) AND (stream_id IS NULL OR NOT (stream_id = ANY ($3)))
            ORDER BY id
            LIMIT $1
            """,
            connection,
            transaction);
        command.Parameters.AddWithValue(batchSize);
        command.Parameters.AddWithValue(_heldIds.ToArray());
        command.Parameters.AddWithValue(_heldStreams.ToArray());

        var rows = new List<PendingOutboxMessage>(batchSize);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new PendingOutboxMessage(
                reader.GetInt64(0),
                reader.GetGuid(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetString(3),
                reader.GetString(4),
                reader.GetString(5),
                reader.GetFieldValue<DateTimeOffset>(6)));
        }

        return rows;
    }

    private Task PublishAsync(List<PendingOutboxMessage> rows, ConcurrentQueue<long> sent, ConcurrentQueue<OutboxPublishFailure> failures, CancellationToken cancellationToken)
    {
        // GroupBy keeps the rows' (id) order within each group. Messages without a stream have no order to keep, so each
        // is a group of its own and they go out in parallel (as one group they went one confirm at a time, by the in-flight limit).
        var streams = rows.Where(row => row.StreamId is not null).GroupBy(row => row.StreamId, StringComparer.Ordinal).Select(group => group.ToList())
            .Concat(rows.Where(row => row.StreamId is null).Select(row => new List<PendingOutboxMessage> { row }))
            .ToList();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrentStreams, CancellationToken = cancellationToken };
        return Parallel.ForEachAsync(streams, parallel, (stream, token) => new ValueTask(PublishStreamAsync(stream, sent, failures, token)));
    }

    private async Task PublishStreamAsync(List<PendingOutboxMessage> stream, ConcurrentQueue<long> sent, ConcurrentQueue<OutboxPublishFailure> failures, CancellationToken cancellationToken)
    {
        // Messages of one stream are handed to the bus in id order without waiting for each confirm, up to
        // MaxInFlightPerStream at a time. Confirms are then taken in the same order: only an unbroken prefix of confirmed
        // messages is marked sent, so the next batch starts at the first message that failed, and confirmed ones after
        // it are published again after it (at least once, never skipped).
        // MassTransit keeps the call order of publishes only once the send endpoint, channel and topology exist (before
        // that, the first publishes wait on them and can overtake each other), so the first message of each stream in a
        // batch goes alone, and a failure seen on any in-flight publish stops further starts at once.
        // Messages without a stream have no order to keep: each confirmed one is marked sent.
        var ordered = stream[0].StreamId is not null;
        var inFlight = new Queue<(PendingOutboxMessage Row, Task Publish)>(Math.Min(stream.Count, _options.MaxInFlightPerStream));
        var prefixIntact = true;
        var stopping = false;
        // Set by a continuation as soon as any in-flight publish faults, before its turn to be awaited comes.
        var failed = new StrongBox<int>(0);
        var started = 0;

        async Task CompleteOldestAsync()
        {
            var (row, publish) = inFlight.Dequeue();
            try
            {
                await publish.ConfigureAwait(false);
                if (prefixIntact || !ordered)
                {
                    sent.Enqueue(row.Id);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                prefixIntact = false;
                stopping = true;
            }
            catch (Exception ex)
            {
                failures.Enqueue(new OutboxPublishFailure(row, ex, Poisoned: false));
                prefixIntact = false;
            }
        }

        try
        {
            foreach (var row in stream)
            {
                // After a failure nothing more is started: the broker is the likely cause, and it is shared.
                if (!prefixIntact || stopping || Volatile.Read(ref failed.Value) != 0)
                {
                    break;
                }

                if (!TryPrepare(row, out var message, out var type, out var headers, out var poison))
                {
                    failures.Enqueue(new OutboxPublishFailure(row, poison, Poisoned: true));
                    if (ordered)
                    {
                        // Publishing the stream's later messages would put them before this one.
                        break;
                    }

                    continue;
                }

                if (inFlight.Count == _options.MaxInFlightPerStream)
                {
                    await CompleteOldestAsync().ConfigureAwait(false);
                    if (!prefixIntact || stopping)
                    {
                        break;
                    }
                }

                var publish = PublishOneAsync(row, message, type, headers, cancellationToken);
                inFlight.Enqueue((row, publish));
                if (started++ == 0)
                {
                    await CompleteOldestAsync().ConfigureAwait(false);
                    continue;
                }

                _ = publish.ContinueWith(
                    static (task, state) => Volatile.Write(ref ((StrongBox<int>)state!).Value, 1),
                    failed,
                    CancellationToken.None,
                    TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }
        }
        finally
        {
            // Every started publish is awaited, also when stopping: what the broker confirmed must be recorded.
            while (inFlight.Count > 0)
            {
                await CompleteOldestAsync().ConfigureAwait(false);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    private bool TryPrepare(PendingOutboxMessage row, out object message, out Type type, out Dictionary<string, string> headers, out Exception error)
    {
        message = null!;
        headers = null!;
        error = null!;
        if (_options.MessageTypes.Resolve(row.MessageType) is not { } resolved)
        {
            type = typeof(object);
            error = new InvalidOperationException($"Message type '{row.MessageType}' is not registered in OutboxRelayOptions.MessageTypes.");
            return false;
        }

        type = resolved;
        try
        {
            message = IntegrationMessageTypes.Deserialize(row.BodyJson, type);
            headers = JsonSerializer.Deserialize<Dictionary<string, string>>(row.HeadersJson, EventJson.Options) ?? [];
            return true;
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or ArgumentException)
        {
            error = ex;
            return false;
        }
    }

    private async Task PublishOneAsync(PendingOutboxMessage row, object message, Type type, Dictionary<string, string> headers, CancellationToken cancellationToken)
    {
        // A child of the activity that wrote the message (its context travels in the row's headers), so the relay hop,
        // MassTransit's send span (a child of Activity.Current) and the consumer all land in the writer's trace.
        using var activity = StartPublishActivity(row, headers);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.PublishTimeout);
        var pipe = Pipe.Execute<PublishContext>(context =>
        {
            context.MessageId = row.MessageId;
            foreach (var (name, value) in headers)
            {
                context.Headers.Set(name, value);
            }

            if (activity is not null)
            {
                // Consumers that are not MassTransit read the W3C header; MassTransit reads MT-Activity-Id, and replaces
                // it with its own send span's id when that span is recorded.
                context.Headers.Set(EventStoreTelemetry.TraceParentHeader, activity.Id);
                context.Headers.Set(MassTransitActivityIdHeader, activity.Id);
            }
        });
        try
        {
            if (_openers.TryGetValue(type, out var opener))
            {
                message = await opener.OpenAsync(message, timeout.Token).ConfigureAwait(false);
            }

            // Completes when the broker confirms the message (publisher confirms), not when it is merely written to the socket.
            // WaitAsync as well as the token: after a broker restart a publish awaiting its confirm can hang without
            // honouring cancellation (rabbitmq-dotnet-client#1930), and one such publish would stall the batch, and with
            // it the schema's relay lock, for good. Abandoned, it counts as a failure and the row is published again.
            await publisher.Publish(message, type, pipe, timeout.Token).WaitAsync(timeout.Token).ConfigureAwait(false);
            var lag = DateTimeOffset.UtcNow - row.CreatedAt;
            var schemaTag = new KeyValuePair<string, object?>("spasm.eventstore.schema", store.Schema);
            EventStoreTelemetry.OutboxLag.Record(Math.Max(0, lag.TotalMilliseconds), schemaTag);
            EventStoreTelemetry.OutboxPublished.Add(1, schemaTag);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            activity?.SetStatus(ActivityStatusCode.Error, "publish not confirmed in time");
            throw new TimeoutException($"Publishing message {row.MessageId} was not confirmed within {_options.PublishTimeout}.", ex);
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            throw;
        }
    }

    private Activity? StartPublishActivity(PendingOutboxMessage row, IReadOnlyDictionary<string, string> headers)
    {
        if (!EventStoreTelemetry.Source.HasListeners())
        {
            return null;
        }

        var parent = EventStoreTelemetry.ParentFrom(headers);
        // The relay's own loop has no trace of its own: a message written outside any trace starts a new one.
        Activity.Current = null;
        var activity = EventStoreTelemetry.Source.StartActivity(
            $"outbox publish {row.MessageType}",
            ActivityKind.Producer,
            parent,
            [
                new("messaging.system", "rabbitmq"),
                new("messaging.operation.type", "publish"),
                new("messaging.message.id", row.MessageId.ToString()),
                new("spasm.outbox.message_type", row.MessageType),
                new("spasm.eventstore.schema", store.Schema),
            ]);
        activity?.SetTag("spasm.outbox.lag_ms", Math.Max(0, (DateTimeOffset.UtcNow - row.CreatedAt).TotalMilliseconds));
        return activity;
    }

    private async Task RecordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ConcurrentQueue<long> sent, ConcurrentQueue<OutboxPublishFailure> failures, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        if (!sent.IsEmpty)
        {
            var markSent = new NpgsqlBatchCommand($"UPDATE {store.Schema}.outbox SET sent_at = clock_timestamp(), attempts = attempts + 1 WHERE id = ANY ($1)");
            markSent.Parameters.AddWithValue(sent.ToArray());
            batch.BatchCommands.Add(markSent);
        }

        if (!failures.IsEmpty)
        {
            var markFailed = new NpgsqlBatchCommand(
                $"""
                UPDATE {store.Schema}.outbox AS o SET attempts = o.attempts + 1, last_error = f.error
                FROM unnest($1::bigint[], $2::text[]) AS f (id, error)
                WHERE o.id = f.id
                """);
            markFailed.Parameters.AddWithValue(failures.Select(f => f.Message.Id).ToArray());
            markFailed.Parameters.AddWithValue(failures.Select(f => Describe(f)).ToArray());
            batch.BatchCommands.Add(markFailed);
        }

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void HoldBack(IEnumerable<OutboxPublishFailure> poisoned)
    {
        foreach (var failure in poisoned)
        {
            var row = failure.Message;
            if (row.StreamId is { } streamId)
            {
                _heldStreams.Add(streamId);
            }
            else
            {
                _heldIds.Add(row.Id);
            }

            LogHeldBack(logger, failure.Error, row.MessageId, row.MessageType, store.Schema, row.StreamId ?? "(none)");
        }
    }

    private static string Describe(OutboxPublishFailure failure)
    {
        var text = $"{(failure.Poisoned ? "held back: " : string.Empty)}{failure.Error.GetType().FullName}: {failure.Error.Message}";
        return text.Length <= MaxErrorLength ? text : text[..MaxErrorLength];
    }

    /// <summary>Keeps a LISTEN open on the outbox channel and wakes the relay on every notification.</summary>
    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        var channel = OutboxSchema.Channel(store.Schema);
        while (true)
        {
            var connection = await _retry.ExecuteAsync(async token => await OpenListenerAsync(channel, token).ConfigureAwait(false), stoppingToken).ConfigureAwait(false);
            try
            {
                // Anything committed while nobody was listening is picked up now.
                Wake();
                while (true)
                {
                    await connection.WaitAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogListenerLost(logger, ex, store.Schema);
            }
            finally
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            // Polling keeps the relay going meanwhile; a pause keeps a flapping server from being hammered.
            await Task.Delay(_options.RetryDelay, stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task<NpgsqlConnection> OpenListenerAsync(string channel, CancellationToken cancellationToken)
    {
        var connection = await store.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            connection.Notification += (_, _) => Wake();
            await using var listen = new NpgsqlCommand($"LISTEN {channel}", connection);
            await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void Wake()
    {
        // A semaphore of at most one: any number of notifications while a drain runs cause exactly one more drain.
        lock (_wakeLock)
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
    }

    [LoggerMessage(1, LogLevel.Debug, "Relayed {Count} outbox message(s) of schema {Schema}.")]
    private static partial void LogRelayed(ILogger logger, int count, string schema);

    [LoggerMessage(2, LogLevel.Warning, "Outbox relay of schema {Schema} failed; attempt {Attempt} in {Delay}.")]
    private static partial void LogRetrying(ILogger logger, Exception? exception, string schema, int attempt, TimeSpan delay);

    [LoggerMessage(3, LogLevel.Error, "Outbox message {MessageId} ({MessageType}) of schema {Schema} cannot be published; it and the later messages of stream {StreamId} are held back until restart.")]
    private static partial void LogHeldBack(ILogger logger, Exception exception, Guid messageId, string messageType, string schema, string streamId);

    [LoggerMessage(4, LogLevel.Warning, "Lost the outbox notification listener of schema {Schema}; polling until it is back.")]
    private static partial void LogListenerLost(ILogger logger, Exception exception, string schema);
}
