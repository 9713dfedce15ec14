using Google.Protobuf;
using Npgsql;
using NpgsqlTypes;
using SpasmPlatform.Assessment.Domain;
using SpasmPlatform.EventStore.Projections;
using SpasmPlatform.EventStore.Streams;
using AssessmentMessage = SpasmPlatform.Assessment.V1.Assessment;

namespace SpasmPlatform.Assessment.Infrastructure;

/// <summary>
/// Inline projection: one row per assessment holding its current state (the Assessment proto), written in the
/// append's transaction, so a submit or override answers from a row that can never lag its events. Clinic, urgency
/// and time are columns only so that listing can filter and page on an index.
/// </summary>
internal sealed class AssessmentReadModel(string schema) : IInlineProjection
{
    public string Schema => schema;

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
        """;

    public async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken)
    {
        var states = new Dictionary<string, AssessmentMessage?>(StringComparer.Ordinal);
        foreach (var stored in events.Where(e => e.StreamId.StartsWith("assessment-", StringComparison.Ordinal)))
        {
            if (!states.TryGetValue(stored.StreamId, out var state))
            {
                state = stored.EventType == AssessmentStream.Submitted
                    ? null
                    : await LoadAsync(connection, transaction, stored.StreamId["assessment-".Length..], cancellationToken).ConfigureAwait(false);
            }

            states[stored.StreamId] = AssessmentEvolution.Apply(state, stored);
        }

        foreach (var state in states.Values.OfType<AssessmentMessage>())
        {
            await UpsertAsync(connection, transaction, state, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<AssessmentMessage?> LoadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string assessmentId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT assessment FROM {schema}.assessments WHERE assessment_id = $1", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = assessmentId });
        var bytes = (byte[]?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : AssessmentMessage.Parser.ParseFrom(bytes);
    }

    private async Task UpsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, AssessmentMessage state, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"""
            INSERT INTO {schema}.assessments (assessment_id, clinic_id, urgency, submitted_at, version, care_plan_id, assessment)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (assessment_id) DO UPDATE SET
                urgency = EXCLUDED.urgency, version = EXCLUDED.version, care_plan_id = EXCLUDED.care_plan_id, assessment = EXCLUDED.assessment
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = state.AssessmentId });
        command.Parameters.Add(new NpgsqlParameter { Value = state.ClinicId });
        command.Parameters.Add(new NpgsqlParameter { Value = (int)(state.Triage?.Urgency ?? 0) });
        command.Parameters.Add(new NpgsqlParameter { Value = state.SubmittedAt.ToDateTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = state.Version });
        command.Parameters.Add(new NpgsqlParameter { Value = state.CarePlanId });
        command.Parameters.Add(new NpgsqlParameter { Value = state.ToByteArray(), NpgsqlDbType = NpgsqlDbType.Bytea });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
