using Google.Protobuf;
using Npgsql;
using NpgsqlTypes;
using SpasmPlatform.CarePlan.Domain;
using SpasmPlatform.EventStore.Projections;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.CarePlan.Infrastructure;

/// <summary>
/// Inline projection: one row per plan (protobuf JSON of the CarePlan), written in the append's transaction, so a
/// plan is readable the moment its event commits. drafted_position (rising as plans are drafted: Marten numbers events
/// after inline projections run, so the read model keeps its own order) orders
/// lists newest first and is the page token.
/// </summary>
internal sealed class CarePlanReadModel(string schema) : IInlineProjection
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    public string Schema => schema;

    public string Table => $"{schema}.care_plans";

    /// <summary>Idempotent DDL; run at start-up before any plan is drafted.</summary>
    public string CreateSql => $"""
        CREATE TABLE IF NOT EXISTS {schema}.care_plans (
            care_plan_id text PRIMARY KEY,
            assessment_id text NOT NULL,
            clinic_id text NOT NULL,
            status int NOT NULL,
            drafted_position bigint GENERATED ALWAYS AS IDENTITY,
            plan jsonb NOT NULL);
        CREATE INDEX IF NOT EXISTS care_plans_clinic ON {schema}.care_plans (clinic_id, drafted_position DESC);
        CREATE INDEX IF NOT EXISTS care_plans_clinic_status ON {schema}.care_plans (clinic_id, status, drafted_position DESC);
        CREATE INDEX IF NOT EXISTS care_plans_assessment ON {schema}.care_plans (assessment_id, drafted_position DESC);
        """;

    public static V1.CarePlan Parse(string json) => Parser.Parse<V1.CarePlan>(json);

    public async Task ApplyAsync(NpgsqlConnection connection, IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken)
    {
        // Marten's session holds the connection inside the append's transaction; commands on it run in that transaction.
        NpgsqlTransaction? transaction = null;
        foreach (var stored in events)
        {
            if (stored.EventType == CarePlanDrafted.EventType)
            {
                var plan = CarePlanState.Drafted(stored.Data<CarePlanDrafted>(), stored);
                await using var insert = new NpgsqlCommand(
                    $"INSERT INTO {Table} (care_plan_id, assessment_id, clinic_id, status, plan) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (care_plan_id) DO NOTHING",
                    connection, transaction);
                insert.Parameters.AddWithValue(plan.CarePlanId);
                insert.Parameters.AddWithValue(plan.AssessmentId);
                insert.Parameters.AddWithValue(plan.ClinicId);
                insert.Parameters.AddWithValue((int)plan.Status);
                insert.Parameters.Add(new NpgsqlParameter { Value = Formatter.Format(plan), NpgsqlDbType = NpgsqlDbType.Jsonb });
                await insert.ExecuteNonQueryAsync(cancellationToken);
                continue;
            }

            if (CarePlanState.PlanIdOf(stored) is not { } planId)
            {
                continue;
            }

            string? json;
            await using (var select = new NpgsqlCommand($"SELECT plan::text FROM {Table} WHERE care_plan_id = $1 FOR UPDATE", connection, transaction))
            {
                select.Parameters.AddWithValue(planId);
                json = (string?)await select.ExecuteScalarAsync(cancellationToken);
            }

            if (json is null)
            {
                // A review of a plan the read model lacks would mean the stream and the table disagree: refuse the append.
                throw new InvalidOperationException($"Care plan {planId} is not in the read model; cannot apply {stored.EventType}.");
            }

            var current = Parse(json);
            CarePlanState.EvolvePlan(current, stored);
            await using var update = new NpgsqlCommand($"UPDATE {Table} SET status = $2, plan = $3 WHERE care_plan_id = $1", connection, transaction);
            update.Parameters.AddWithValue(planId);
            update.Parameters.AddWithValue((int)current.Status);
            update.Parameters.Add(new NpgsqlParameter { Value = Formatter.Format(current), NpgsqlDbType = NpgsqlDbType.Jsonb });
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
