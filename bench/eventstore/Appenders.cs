using Npgsql;
using NpgsqlTypes;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Serialization;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.Bench.EventStore;

/// <summary>One stream owned by one writer; no other writer touches it, so its version is known locally.</summary>
public sealed class WriterStream(string id)
{
    public string Id { get; } = id;

    public Guid AssessmentId { get; } = Guid.NewGuid();

    public long Version { get; set; }
}

/// <summary>Writes one transaction of <c>batch</c> events to a stream.</summary>
public interface IAppender
{
    Task AppendAsync(WriterStream stream, int batch, PayloadFactory payloads);
}

/// <summary>
/// The store as a service uses it: <see cref="MartenEventStore.AppendAsync"/> with the exact expected version (a pooled
/// connection, BEGIN, Marten's batch with <c>mt_quick_append_events(...)</c>, whose inserts fire the chain trigger, COMMIT).
/// </summary>
public sealed class OursAppender(MartenEventStore store) : IAppender
{
    public async Task AppendAsync(WriterStream stream, int batch, PayloadFactory payloads)
    {
        var metadata = payloads.NewMetadata();
        var events = new NewEvent[batch];
        for (var i = 0; i < batch; i++)
        {
            events[i] = new NewEvent(Guid.CreateVersion7(), PayloadFactory.EventType, payloads.NewData(stream.AssessmentId, stream.Version + i + 1), metadata);
        }

        var result = await store.AppendAsync(stream.Id, PayloadFactory.StreamType, ExpectedVersion.Exactly(stream.Version), events).ConfigureAwait(false);
        if (result.Duplicate || result.NewVersion != stream.Version + batch || result.Positions.Count != batch)
        {
            throw new InvalidOperationException($"{stream.Id}: append at version {stream.Version} of {batch} events answered version {result.NewVersion}.");
        }

        stream.Version = result.NewVersion;
    }
}

/// <summary>
/// The ceiling: the same rows into the same Marten tables, written by hand in one round trip (an NpgsqlBatch of the
/// mt_streams insert or version-checked update and one multi-row <c>INSERT ... SELECT FROM unnest</c> into mt_events),
/// then COMMIT, on a pooled connection like the store's. The chain trigger fires on these rows as on the store's, so the
/// server does the same hashing; what is left out is Marten's session, its per-row PL/pgSQL loop and our session. Pointed
/// at a schema whose trigger was dropped, it measures what the trigger costs.
/// </summary>
public sealed class RawAppender(NpgsqlDataSource dataSource, string schema) : IAppender
{
    // What Marten stores in mt_dotnet_type: the CLR type's full name and its assembly's name.
    private static readonly string DotnetType = $"{typeof(AnswerRecorded).FullName}, {typeof(AnswerRecorded).Assembly.GetName().Name}";

    private readonly string _insertEvents =
        $"INSERT INTO {schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, mt_dotnet_type, correlation_id, causation_id, headers, user_name) " +
        $"SELECT nextval('{schema}.mt_events_sequence'), u.id, $1, u.version, u.data, $4, $5, $6, $7, $8, $9, $10 " +
        "FROM unnest($2::uuid[], $3::bigint[], $11::jsonb[]) AS u (id, version, data)";

    private readonly string _startStream = $"INSERT INTO {schema}.mt_streams (id, version, timestamp, tenant_id) VALUES ($1, $2, now(), '*DEFAULT*')";

    private readonly string _advanceStream = $"UPDATE {schema}.mt_streams SET version = $2, timestamp = now() WHERE id = $1 AND version = $3";

    public async Task AppendAsync(WriterStream stream, int batch, PayloadFactory payloads)
    {
        var metadata = payloads.NewMetadata();
        var now = DateTimeOffset.UtcNow;
        var recordedAt = now.AddTicks(-(now.Ticks % 10)); // PostgreSQL keeps microseconds
        var ids = new Guid[batch];
        var versions = new long[batch];
        var data = new string[batch];
        for (var i = 0; i < batch; i++)
        {
            ids[i] = Guid.CreateVersion7();
            versions[i] = stream.Version + i + 1;
            data[i] = EventJson.Serialize(payloads.NewData(stream.AssessmentId, versions[i]));
        }

        // The headers as the store stores them: the event's headers plus the tenant.
        var headers = new Dictionary<string, string>(metadata.Headers!) { ["tenant"] = metadata.TenantId! };

        await using var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        await using var command = new NpgsqlBatch(connection, transaction);
        var streamRow = new NpgsqlBatchCommand(stream.Version == 0 ? _startStream : _advanceStream);
        streamRow.Parameters.Add(new NpgsqlParameter { Value = stream.Id, NpgsqlDbType = NpgsqlDbType.Varchar });
        streamRow.Parameters.Add(new NpgsqlParameter { Value = stream.Version + batch, NpgsqlDbType = NpgsqlDbType.Bigint });
        if (stream.Version != 0)
        {
            streamRow.Parameters.Add(new NpgsqlParameter { Value = stream.Version, NpgsqlDbType = NpgsqlDbType.Bigint });
        }

        var insert = new NpgsqlBatchCommand(_insertEvents);
        insert.Parameters.Add(new NpgsqlParameter { Value = stream.Id, NpgsqlDbType = NpgsqlDbType.Varchar });
        insert.Parameters.Add(new NpgsqlParameter { Value = ids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
        insert.Parameters.Add(new NpgsqlParameter { Value = versions, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        insert.Parameters.Add(new NpgsqlParameter { Value = PayloadFactory.EventType, NpgsqlDbType = NpgsqlDbType.Varchar });
        insert.Parameters.Add(new NpgsqlParameter { Value = recordedAt, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        insert.Parameters.Add(new NpgsqlParameter { Value = DotnetType, NpgsqlDbType = NpgsqlDbType.Varchar });
        insert.Parameters.Add(new NpgsqlParameter { Value = metadata.CorrelationId, NpgsqlDbType = NpgsqlDbType.Varchar });
        insert.Parameters.Add(new NpgsqlParameter { Value = metadata.CausationId, NpgsqlDbType = NpgsqlDbType.Varchar });
        insert.Parameters.Add(new NpgsqlParameter { Value = EventJson.Serialize(headers), NpgsqlDbType = NpgsqlDbType.Jsonb });
        insert.Parameters.Add(new NpgsqlParameter { Value = metadata.Actor, NpgsqlDbType = NpgsqlDbType.Varchar });
        insert.Parameters.Add(new NpgsqlParameter { Value = data, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        command.BatchCommands.Add(streamRow);
        command.BatchCommands.Add(insert);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        if (streamRow.RecordsAffected != 1 || insert.RecordsAffected != batch)
        {
            throw new InvalidOperationException($"{stream.Id}: raw append at version {stream.Version} wrote {streamRow.RecordsAffected} stream rows and {insert.RecordsAffected} events.");
        }

        await transaction.CommitAsync().ConfigureAwait(false);
        stream.Version += batch;
    }
}
