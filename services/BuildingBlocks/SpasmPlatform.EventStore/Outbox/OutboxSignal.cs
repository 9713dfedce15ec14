using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace SpasmPlatform.EventStore.Outbox;

/// <summary>
/// Wakes the relays after a session committed outbox rows: this process's relay at once, other processes' relays by a
/// NOTIFY sent after the commit, on a connection of its own.
/// <para>
/// Not a NOTIFY inside the writing transaction (a trigger did that until measured): PostgreSQL serialises the commits
/// of every transaction that notified, across the whole database, on one lock held through the commit's WAL flush. At
/// 64 submissions in flight almost every backend sat in COMMIT waiting on that lock, so commits could not share a
/// flush and each paid its own. Sent on its own, a NOTIFY holds the lock for an instant and waits for no flush (it
/// writes no WAL before its commit), and notifications asked for while one is being sent are folded into one more.
/// </para>
/// </summary>
public sealed partial class OutboxSignal(NpgsqlDataSource dataSource, string schema, ILogger? logger = null)
{
    private readonly string _channel = OutboxSchema.Channel(schema);
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    // 0: idle; 1: a NOTIFY is being sent; 2: and another was asked for meanwhile.
    private int _state;

    /// <summary>Raised in-process after every commit that wrote outbox rows.</summary>
    public event Action? Committed;

    /// <summary>Called after the commit; never throws and never waits: a lost wake-up costs at most a poll interval.</summary>
    public void Signal()
    {
        Committed?.Invoke();
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if (state == 2)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _state, state + 1, state) == state)
            {
                if (state == 0)
                {
                    _ = Task.Run(SendAsync);
                }

                return;
            }
        }
    }

    private async Task SendAsync()
    {
        do
        {
            try
            {
                await using var command = dataSource.CreateCommand("SELECT pg_notify($1, '')");
                command.Parameters.AddWithValue(_channel);
                await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                // The rows are committed: a relay elsewhere finds them on its next poll.
                LogNotifyFailed(_logger, ex, _channel);
            }
        }
        while (Interlocked.Decrement(ref _state) > 0);
    }

    [LoggerMessage(1, LogLevel.Warning, "Could not notify {Channel} after an outbox commit; other relays will poll.")]
    private static partial void LogNotifyFailed(ILogger logger, Exception exception, string channel);
}
