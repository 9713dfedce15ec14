using Npgsql;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.EventStore;

/// <summary>The event store on one PostgreSQL schema. Stateless apart from configuration: safe as a singleton.</summary>
public sealed partial class PostgresEventStore(NpgsqlDataSource dataSource, EventStoreOptions options) : IEventStore
{
    public string Schema => options.Schema;

    internal NpgsqlDataSource DataSource => dataSource;

    internal EventStoreOptions Options => options;

    public Task EnsureSchemaAsync(CancellationToken cancellationToken = default)
    {
        options.Validate();
        return SpasmPlatform.EventStore.Schema.EventStoreSchema.EnsureAsync(dataSource, options.Schema, cancellationToken);
    }

    public async Task<EventStoreSession> OpenSessionAsync(CancellationToken cancellationToken = default)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            return new EventStoreSession(this, connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task<AppendResult> AppendAsync(string streamId, string streamType, ExpectedVersion expected, IReadOnlyList<NewEvent> events, IReadOnlyList<OutboxMessage>? outbox = null, CancellationToken cancellationToken = default)
    {
        await using var session = await OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var result = await session.AppendAsync(streamId, streamType, expected, events, cancellationToken).ConfigureAwait(false);
        if (outbox is not null)
        {
            foreach (var message in outbox)
            {
                session.Publish(message);
            }
        }

        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }
}
