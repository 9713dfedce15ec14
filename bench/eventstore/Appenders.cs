using Npgsql;
using NpgsqlTypes;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Integrity;
using SpasmPlatform.EventStore.Serialization;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.Bench.EventStore;

/// <summary>One stream owned by one writer; no other writer touches it, so its version is known locally.</summary>
public sealed class WriterStream(string id)
{
    public string Id { get; } = id;

    public Guid AssessmentId { get; } = Guid.NewGuid();

    public long Version { get; set; }

    /// <summary>The raw writers chain their own hashes on the client (the store does it in SQL).</summary>
    public byte[]? LastHash { get; set; }
}

/// <summary>Writes one transaction of <c>batch</c> events to a stream.</summary>
public interface IAppender
{
    string Kind { get; }

    Task AppendAsync(WriterStream stream, int batch, PayloadFactory payloads, CancellationToken cancellationToken);
}

/// <summary>
/// The store as a service uses it: <see cref="MartenEventStore.AppendAsync"/> with the exact expected version,
/// i.e. a pooled connection, BEGIN, <c>SELECT ... FROM append_events(...)</c>, COMMIT.
/// </summary>
public sealed class OursAppender(MartenEventStore store) : IAppender
{
    public string Kind => "ours";

    public async Task AppendAsync(WriterStream stream, int batch, PayloadFactory payloads, CancellationToken cancellationToken)
    {
        var metadata = payloads.NewMetadata();
        var events = new NewEvent[batch];
        for (var i = 0; i < batch; i++)
        {
            events[i] = new NewEvent(Guid.NewGuid(), PayloadFactory.EventType, PayloadFactory.SchemaVersion,
                payloads.NewData(stream.AssessmentId, stream.Version + i + 1), metadata);
        }

        var result = await store.AppendAsync(stream.Id, PayloadFactory.StreamType, ExpectedVersion.Exactly(stream.Version), events,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        if (result.Duplicate || result.NewVersion != stream.Version + batch || result.Positions.Count != batch)
        {
            throw new InvalidOperationException(
                $"{stream.Id}: append at version {stream.Version} of {batch} events answered version {result.NewVersion}, duplicate={result.Duplicate}.");
        }

        stream.Version = result.NewVersion;
    }
}

public enum RawMode
{
    /// <summary>One multi-row <c>INSERT ... SELECT FROM unnest(arrays)</c> per transaction.</summary>
    Unnest,

    /// <summary>An <see cref="NpgsqlBatch"/> of one single-row <c>INSERT ... VALUES</c> per event, one round trip.</summary>
    Values,
}

/// <summary>
/// The ceiling: the same rows into a table of the same shape (<c>raw_events</c>, created LIKE events INCLUDING ALL:
/// same columns, defaults, identity and indexes; no foreign key to streams), with the hash chained on the client,
/// as plain INSERTs in a transaction per batch. No function, no expected-version or idempotency check, no streams row.
/// Connection use mirrors the store's: a pooled connection, BEGIN, one round trip of INSERT, COMMIT.
/// </summary>
public sealed class RawAppender(NpgsqlDataSource dataSource, string schema, RawMode mode) : IAppender
{
    private const string Columns = "stream_id, stream_version, event_id, event_type, schema_version, data, metadata, recorded_at, previous_hash, hash";

    private readonly string _unnestSql =
        $"INSERT INTO {schema}.raw_events ({Columns}) SELECT $1, u.v, u.id, u.t, u.sv, u.d, u.m, $8, u.ph, u.h " +
        "FROM unnest($2, $3, $4, $5, $6, $7, $9, $10) AS u(v, id, t, sv, d, m, ph, h)";

    private readonly string _valuesSql = $"INSERT INTO {schema}.raw_events ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

    public string Kind => mode == RawMode.Unnest ? "raw" : "raw-values";

    public async Task AppendAsync(WriterStream stream, int batch, PayloadFactory payloads, CancellationToken cancellationToken)
    {
        var metadata = payloads.NewMetadata();
        var now = DateTimeOffset.UtcNow;
        var recordedAt = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % 10), TimeSpan.Zero); // PostgreSQL keeps microseconds
        var versions = new long[batch];
        var ids = new Guid[batch];
        var types = new string[batch];
        var schemaVersions = new int[batch];
        var data = new string[batch];
        var metadataJson = new string[batch];
        var previous = new byte[]?[batch];
        var hashes = new byte[batch][];
        var prev = stream.LastHash;
        for (var i = 0; i < batch; i++)
        {
            versions[i] = stream.Version + i + 1;
            ids[i] = Guid.NewGuid();
            types[i] = PayloadFactory.EventType;
            schemaVersions[i] = PayloadFactory.SchemaVersion;
            data[i] = payloads.NewData(stream.AssessmentId, versions[i]);
            metadataJson[i] = EventJson.SerializeMetadata(metadata);
            previous[i] = prev;
            // Same function and inputs as the verifier; over the client's JSON text rather than jsonb's canonical
            // output, so these hashes would not verify, but the work is the same.
            hashes[i] = HashChain.Compute(stream.Id, versions[i], ids[i], types[i], schemaVersions[i], recordedAt, data[i], metadataJson[i], prev);
            prev = hashes[i];
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (mode == RawMode.Unnest)
        {
            await using var command = new NpgsqlCommand(_unnestSql, connection, transaction);
            command.Parameters.Add(new NpgsqlParameter { Value = stream.Id, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = versions, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
            command.Parameters.Add(new NpgsqlParameter { Value = ids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
            command.Parameters.Add(new NpgsqlParameter { Value = types, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = schemaVersions, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
            command.Parameters.Add(new NpgsqlParameter { Value = data, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
            command.Parameters.Add(new NpgsqlParameter { Value = metadataJson, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
            command.Parameters.Add(new NpgsqlParameter { Value = recordedAt, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter { Value = previous, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
            command.Parameters.Add(new NpgsqlParameter { Value = hashes, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
            var rows = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            if (rows != batch)
            {
                throw new InvalidOperationException($"raw insert wrote {rows} rows, expected {batch}");
            }
        }
        else
        {
            await using var command = new NpgsqlBatch(connection, transaction);
            for (var i = 0; i < batch; i++)
            {
                var insert = new NpgsqlBatchCommand(_valuesSql);
                insert.Parameters.Add(new NpgsqlParameter { Value = stream.Id, NpgsqlDbType = NpgsqlDbType.Text });
                insert.Parameters.Add(new NpgsqlParameter { Value = versions[i], NpgsqlDbType = NpgsqlDbType.Bigint });
                insert.Parameters.Add(new NpgsqlParameter { Value = ids[i], NpgsqlDbType = NpgsqlDbType.Uuid });
                insert.Parameters.Add(new NpgsqlParameter { Value = types[i], NpgsqlDbType = NpgsqlDbType.Text });
                insert.Parameters.Add(new NpgsqlParameter { Value = schemaVersions[i], NpgsqlDbType = NpgsqlDbType.Integer });
                insert.Parameters.Add(new NpgsqlParameter { Value = data[i], NpgsqlDbType = NpgsqlDbType.Jsonb });
                insert.Parameters.Add(new NpgsqlParameter { Value = metadataJson[i], NpgsqlDbType = NpgsqlDbType.Jsonb });
                insert.Parameters.Add(new NpgsqlParameter { Value = recordedAt, NpgsqlDbType = NpgsqlDbType.TimestampTz });
                insert.Parameters.Add(new NpgsqlParameter { Value = (object?)previous[i] ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bytea });
                insert.Parameters.Add(new NpgsqlParameter { Value = hashes[i], NpgsqlDbType = NpgsqlDbType.Bytea });
                command.BatchCommands.Add(insert);
            }

            var rows = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            if (rows != batch)
            {
                throw new InvalidOperationException($"raw batch wrote {rows} rows, expected {batch}");
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        stream.Version += batch;
        stream.LastHash = prev;
    }
}
