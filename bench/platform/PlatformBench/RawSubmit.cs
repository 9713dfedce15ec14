using Npgsql;
using NpgsqlTypes;

namespace SpasmPlatform.Bench.Platform;

/// <summary>
/// The write ceiling: the rows one SubmitAssessment stores, written by hand with Npgsql into copies of the service's
/// own tables in a scratch schema. Per submission (as the assessment service writes it in one transaction): the
/// patient's key row (when the submission carries clinical notes), the stream row, the two events (submitted, triage decided), the read-model row and the outbox
/// message. The tables are copied with their indexes, defaults and constraints (CREATE TABLE ... LIKE ... INCLUDING
/// ALL), and the service schema's triggers on them (the hash chain, the outbox notification) are re-created on the
/// copies, so PostgreSQL does the same work per row; the values are those of a submission the service really stored,
/// under fresh keys. What the ceiling leaves out is everything that is not writing these rows: gRPC, validation,
/// triage, Marten's session and its per-row append function, reading the row back, and the round trips in between
/// (here: one batch and a COMMIT).
/// If the service starts writing other rows per submission, this list must follow: README.md says how to check.
/// </summary>
internal sealed class RawSubmit
{
    private static readonly string[] Tables = ["patient_keys", "mt_streams", "mt_events", "event_chain", "assessments", "outbox"];

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _scratch;
    private readonly Template[] _templates;
    private long _next;

    private RawSubmit(NpgsqlDataSource dataSource, string scratch, Template[] templates)
    {
        _dataSource = dataSource;
        _scratch = scratch;
        _templates = templates;
    }

    public string Scratch => _scratch;

    /// <summary>Submissions whose rows were written (committed or not: PostgreSQL counts the inserts either way).</summary>
    public long Written => Interlocked.Read(ref _next);

    /// <summary>
    /// Copies the tables, and takes the rows of <paramref name="assessmentIds"/> (submissions of this run) as templates,
    /// used in turn: the mix of the load (with or without clinical notes, hence with or without a patient key; short
    /// and long answers) carries over to the ceiling.
    /// </summary>
    public static async Task<RawSubmit> CreateAsync(NpgsqlDataSource dataSource, string schema, string scratch, IReadOnlyList<string> assessmentIds)
    {
        var templates = new List<Template>();
        foreach (var assessmentId in assessmentIds)
        {
            templates.Add(await Template.LoadAsync(dataSource, schema, assessmentId).ConfigureAwait(false));
        }

        await using var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        await ExecuteAsync(connection, $"DROP SCHEMA IF EXISTS {scratch} CASCADE; CREATE SCHEMA {scratch}; CREATE SEQUENCE {scratch}.mt_events_sequence");
        foreach (var table in Tables)
        {
            await ExecuteAsync(connection, $"CREATE TABLE {scratch}.{table} (LIKE {schema}.{table} INCLUDING ALL)");
        }

        // Foreign keys and triggers are not copied by LIKE: take them from the catalog, renamed to the scratch schema.
        var definitions = new List<string>();
        await using (var command = new NpgsqlCommand(
            """
            SELECT format('ALTER TABLE %s.%I ADD CONSTRAINT %I %s', $2, c.relname, k.conname, pg_get_constraintdef(k.oid))
            FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND k.contype = 'f' AND c.relname = ANY($3)
            UNION ALL
            SELECT pg_get_functiondef(p.oid) || ';' || chr(10) || pg_get_triggerdef(t.oid)
            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE n.nspname = $1 AND NOT t.tgisinternal AND c.relname = ANY($3)
            """, connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = schema });
            command.Parameters.Add(new NpgsqlParameter { Value = scratch });
            command.Parameters.Add(new NpgsqlParameter { Value = Tables });
            await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                definitions.Add(reader.GetString(0));
            }
        }

        foreach (var definition in definitions)
        {
            // Qualified names and the notification channel ('<schema>_outbox') move to the scratch schema, so the copy
            // never writes to the service's tables nor wakes its outbox relay.
            await ExecuteAsync(connection, definition.Replace($"{schema}.", $"{scratch}.", StringComparison.Ordinal).Replace($"'{schema}_", $"'{scratch}_", StringComparison.Ordinal));
        }

        await transaction.CommitAsync().ConfigureAwait(false);
        return new RawSubmit(dataSource, scratch, [.. templates]);
    }

    /// <summary>Writes <paramref name="submissions"/> submissions' rows in one transaction (1 = what the service does).</summary>
    public async Task<string?> WriteAsync(int submissions)
    {
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
            await using var batch = new NpgsqlBatch(connection, transaction);
            for (var i = 0; i < submissions; i++)
            {
                AddSubmission(batch, Interlocked.Increment(ref _next));
            }

            await batch.ExecuteNonQueryAsync().ConfigureAwait(false);
            await transaction.CommitAsync().ConfigureAwait(false);
            return null;
        }
        catch (NpgsqlException e)
        {
            return e.Message;
        }
    }

    public async Task DropAsync()
    {
        await using var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await ExecuteAsync(connection, $"DROP SCHEMA IF EXISTS {_scratch} CASCADE");
    }

    private void AddSubmission(NpgsqlBatch batch, long n)
    {
        var t = _templates[n % _templates.Length];
        var assessmentId = $"{Guid.NewGuid():N}{n:x}";
        var streamId = $"assessment-{assessmentId}";
        var patient = $"raw-patient-{n}-{Environment.ProcessId}";
        if (t.WrappedKey is not null)
        {
            // The service makes a patient's key when it first seals notes for the patient; every load patient is new.
            Add(batch, $"INSERT INTO {_scratch}.patient_keys (clinic_id, patient_ref, generation, wrapped_key) VALUES ($1, $2, $3, $4)",
                t.ClinicId, patient, t.KeyGeneration, t.WrappedKey);
        }

        Add(batch, $"INSERT INTO {_scratch}.mt_streams (id, type, version, tenant_id) VALUES ($1, $2, $3, $4)",
            streamId, t.StreamType, (long)t.Events.Length, t.TenantId);
        foreach (var (e, version) in t.Events.Select((e, i) => (e, i + 1L)))
        {
            Add(batch,
                $"""
                INSERT INTO {_scratch}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, correlation_id, causation_id, headers, user_name)
                VALUES (nextval('{_scratch}.mt_events_sequence'), $1, $2, $3, $4, $5, now(), $6, $7, $8, $9, $10, $11)
                """,
                Guid.CreateVersion7(), streamId, version, Jsonb(e.Data), e.Type, t.TenantId, e.DotnetType, e.CorrelationId, e.CausationId, Jsonb(e.Headers), e.UserName);
        }

        Add(batch,
            $"INSERT INTO {_scratch}.assessments (assessment_id, clinic_id, urgency, submitted_at, version, assessment, patient_ref, sealed_clinical_notes) VALUES ($1, $2, $3, now(), $4, $5, $6, $7)",
            assessmentId, t.ClinicId, t.Urgency, (long)t.Events.Length, t.Assessment, patient, t.SealedNotes);
        Add(batch, $"INSERT INTO {_scratch}.outbox (message_id, stream_id, message_type, body, headers) VALUES ($1, $2, $3, $4, $5)",
            Guid.CreateVersion7(), streamId, t.MessageType, Jsonb(t.MessageBody), Jsonb(t.MessageHeaders));
    }

    private static NpgsqlParameter Jsonb(string? json) => new() { Value = (object?)json ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Jsonb };

    private static void Add(NpgsqlBatch batch, string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(value as NpgsqlParameter ?? new NpgsqlParameter { Value = value ?? DBNull.Value });
        }

        batch.BatchCommands.Add(command);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private sealed record TemplateEvent(string Data, string Type, string? DotnetType, string? CorrelationId, string? CausationId, string? Headers, string? UserName);

    /// <summary>The values of one submission the service stored: sizes and shapes as real as the load's.</summary>
    private sealed record Template(
        string ClinicId, int KeyGeneration, byte[]? WrappedKey, string? StreamType, string? TenantId, TemplateEvent[] Events,
        int Urgency, byte[] Assessment, string? SealedNotes, string MessageType, string MessageBody, string MessageHeaders)
    {
        public static async Task<Template> LoadAsync(NpgsqlDataSource dataSource, string schema, string assessmentId)
        {
            var streamId = $"assessment-{assessmentId}";
            await using var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);

            string clinic, patient;
            int urgency;
            byte[] assessment;
            string? notes;
            await using (var reader = await Query(connection, $"SELECT clinic_id, patient_ref, urgency, assessment, sealed_clinical_notes FROM {schema}.assessments WHERE assessment_id = $1", assessmentId))
            {
                if (!await reader.ReadAsync().ConfigureAwait(false))
                {
                    throw new InvalidOperationException($"assessment {assessmentId} has no row in {schema}.assessments");
                }

                (clinic, patient, urgency, assessment, notes) = (reader.GetString(0), reader.GetString(1), reader.GetInt32(2), (byte[])reader[3], reader.IsDBNull(4) ? null : reader.GetString(4));
            }

            int generation = 1;
            byte[]? key = null;
            await using (var reader = await Query(connection, $"SELECT generation, wrapped_key FROM {schema}.patient_keys WHERE clinic_id = $1 AND patient_ref = $2 ORDER BY generation DESC LIMIT 1", clinic, patient))
            {
                if (await reader.ReadAsync().ConfigureAwait(false))
                {
                    (generation, key) = (reader.GetInt32(0), reader.IsDBNull(1) ? null : (byte[])reader[1]);
                }
            }

            string? streamType = null, tenant = null;
            await using (var reader = await Query(connection, $"SELECT type, tenant_id FROM {schema}.mt_streams WHERE id = $1", streamId))
            {
                if (await reader.ReadAsync().ConfigureAwait(false))
                {
                    (streamType, tenant) = (reader.IsDBNull(0) ? null : reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1));
                }
            }

            // The submission's own events: the first append of the stream (later ones, e.g. the care plan link, are
            // written by the drafted plan's consumer, not by SubmitAssessment).
            var events = new List<TemplateEvent>();
            await using (var reader = await Query(connection,
                $"SELECT data::text, type, mt_dotnet_type, correlation_id, causation_id, headers::text, user_name FROM {schema}.mt_events WHERE stream_id = $1 AND type IN ('assessment.submitted', 'assessment.triage_decided') ORDER BY version", streamId))
            {
                while (await reader.ReadAsync().ConfigureAwait(false))
                {
                    events.Add(new TemplateEvent(reader.GetString(0), reader.GetString(1), Text(reader, 2), Text(reader, 3), Text(reader, 4), Text(reader, 5), Text(reader, 6)));
                }
            }

            if (events.Count == 0)
            {
                throw new InvalidOperationException($"stream {streamId} has no submitted/triage_decided events in {schema}.mt_events");
            }

            await using (var reader = await Query(connection, $"SELECT message_type, body::text, headers::text FROM {schema}.outbox WHERE stream_id = $1 ORDER BY id LIMIT 1", streamId))
            {
                if (!await reader.ReadAsync().ConfigureAwait(false))
                {
                    throw new InvalidOperationException($"stream {streamId} has no outbox row in {schema}.outbox");
                }

                return new Template(clinic, generation, key, streamType, tenant, [.. events], urgency, assessment, notes, reader.GetString(0), reader.GetString(1), reader.GetString(2));
            }
        }

        private static string? Text(NpgsqlDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

        private static async Task<NpgsqlDataReader> Query(NpgsqlConnection connection, string sql, params object[] values)
        {
            var command = new NpgsqlCommand(sql, connection);
            foreach (var value in values)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = value });
            }

            return await command.ExecuteReaderAsync().ConfigureAwait(false);
        }
    }
}
