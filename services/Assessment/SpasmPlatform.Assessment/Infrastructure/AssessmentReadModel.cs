using Google.Protobuf;
using Npgsql;
using NpgsqlTypes;
using SpasmPlatform.Assessment.Domain;
using SpasmPlatform.EventStore.Projections;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.Assessment.Infrastructure;

/// <summary>
/// Inline projection: one row per assessment holding its current state (the Assessment proto), written in the
/// append's transaction, so a submit or override answers from a row that can never lag its events. Clinic, urgency
/// and time are columns only so that listing can filter and page on an index; patient_ref so that an erasure finds
/// the patient's assessments and an auditor can search by patient or period across clinics (AssessmentFinder). The clinical notes are never in the proto: sealed_clinical_notes holds them as the
/// submission event sealed them, and readers open them with the patient's key.
/// </summary>
internal sealed class AssessmentReadModel(string schema) : IInlineProjection
{
    public string Schema => schema;

    public string Table => $"{schema}.assessments";

    /// <summary>Idempotent DDL; run at start-up before anything is appended.</summary>
    public string CreateSql => $"""
        CREATE TABLE IF NOT EXISTS {schema}.assessments (
            assessment_id text PRIMARY KEY,
            clinic_id text NOT NULL,
            urgency int NOT NULL,
            submitted_at timestamptz NOT NULL,
            version bigint NOT NULL,
            care_plan_id text NOT NULL DEFAULT '',
            assessment bytea NOT NULL);
        CREATE INDEX IF NOT EXISTS assessments_by_clinic
            ON {schema}.assessments (clinic_id, submitted_at DESC, assessment_id DESC);
        CREATE INDEX IF NOT EXISTS assessments_by_clinic_urgency
            ON {schema}.assessments (clinic_id, urgency, submitted_at DESC, assessment_id DESC);
        ALTER TABLE {schema}.assessments ADD COLUMN IF NOT EXISTS patient_ref text NOT NULL DEFAULT '';
        ALTER TABLE {schema}.assessments ADD COLUMN IF NOT EXISTS sealed_clinical_notes text;
        CREATE INDEX IF NOT EXISTS assessments_by_patient ON {schema}.assessments (clinic_id, patient_ref);
        CREATE INDEX IF NOT EXISTS assessments_by_patient_time
            ON {schema}.assessments (patient_ref, submitted_at DESC, assessment_id DESC);
        CREATE INDEX IF NOT EXISTS assessments_by_time ON {schema}.assessments (submitted_at DESC, assessment_id DESC);
        """;

    public async Task ApplyAsync(NpgsqlConnection connection, IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken)
    {
        // Marten's session holds the connection inside the append's transaction; commands on it run in that transaction.
        NpgsqlTransaction? transaction = null;
        var states = new Dictionary<string, AssessmentMessage?>(StringComparer.Ordinal);
        var sealedNotes = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var stored in events.Where(e => e.StreamId.StartsWith("assessment-", StringComparison.Ordinal)))
        {
            if (!states.TryGetValue(stored.StreamId, out var state))
            {
                state = stored.EventType == AssessmentSubmitted.EventType
                    ? null
                    : (await LoadAsync(connection, transaction, stored.StreamId["assessment-".Length..], cancellationToken))?.Assessment;
            }

            if (stored.EventType == AssessmentSubmitted.EventType)
            {
                sealedNotes[stored.StreamId] = stored.Data<AssessmentSubmitted>().SealedClinicalNotes;
            }

            states[stored.StreamId] = AssessmentState.Evolve(state, stored);
        }

        // One round trip for every row of the save, however many submissions a group commit put in it.
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var (streamId, state) in states)
        {
            if (state is not null)
            {
                batch.BatchCommands.Add(Upsert(state, sealedNotes.GetValueOrDefault(streamId)));
            }
        }

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>The row, notes still sealed; open them with AssessmentNotes before answering.</summary>
    public async Task<AssessmentRow?> LoadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string assessmentId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT assessment, sealed_clinical_notes FROM {schema}.assessments WHERE assessment_id = $1", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = assessmentId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Row(reader) : null;
    }

    /// <summary>Reads a row selected as (assessment, sealed_clinical_notes).</summary>
    public static AssessmentRow Row(NpgsqlDataReader reader) =>
        new(AssessmentMessage.Parser.ParseFrom(reader.GetFieldValue<byte[]>(0)), reader.IsDBNull(1) ? null : reader.GetString(1));

    private NpgsqlBatchCommand Upsert(AssessmentMessage state, string? sealedNotes)
    {
        // The notes and the patient come with the first event and never change, so only the insert writes them.
        var command = new NpgsqlBatchCommand(
            $"""
            INSERT INTO {schema}.assessments (assessment_id, clinic_id, urgency, submitted_at, version, care_plan_id, assessment, patient_ref, sealed_clinical_notes)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (assessment_id) DO UPDATE SET
                urgency = EXCLUDED.urgency, version = EXCLUDED.version, care_plan_id = EXCLUDED.care_plan_id, assessment = EXCLUDED.assessment
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = state.AssessmentId });
        command.Parameters.Add(new NpgsqlParameter { Value = state.ClinicId });
        command.Parameters.Add(new NpgsqlParameter { Value = (int)(state.Triage?.Urgency ?? 0) });
        command.Parameters.Add(new NpgsqlParameter { Value = state.SubmittedAt.ToDateTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = state.Version });
        command.Parameters.Add(new NpgsqlParameter { Value = state.CarePlanId });
        command.Parameters.Add(new NpgsqlParameter { Value = state.ToByteArray(), NpgsqlDbType = NpgsqlDbType.Bytea });
        command.Parameters.Add(new NpgsqlParameter { Value = state.PatientRef });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)sealedNotes ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        return command;
    }
}
