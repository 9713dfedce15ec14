using Npgsql;
using SpasmPlatform.CarePlan.V1;

namespace SpasmPlatform.CarePlan.Infrastructure;

/// <summary>Reads of the care_plans read model for GetCarePlan and ListCarePlans.</summary>
internal sealed class CarePlanQueries(NpgsqlDataSource dataSource, CarePlanReadModel readModel)
{
    public async Task<V1.CarePlan?> FindAsync(string carePlanId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT plan::text FROM {readModel.Table} WHERE care_plan_id = $1");
        command.Parameters.AddWithValue(carePlanId);
        return await command.ExecuteScalarAsync(cancellationToken) is string json ? CarePlanReadModel.Parse(json) : null;
    }

    /// <summary>The assessment's current plan: the newest one not superseded (or the newest, if all are).</summary>
    public async Task<V1.CarePlan?> FindByAssessmentAsync(string assessmentId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT plan::text FROM {readModel.Table} WHERE assessment_id = $1 ORDER BY status = $2, drafted_position DESC LIMIT 1");
        command.Parameters.AddWithValue(assessmentId);
        command.Parameters.AddWithValue((int)CarePlanStatus.Superseded);
        return await command.ExecuteScalarAsync(cancellationToken) is string json ? CarePlanReadModel.Parse(json) : null;
    }

    /// <summary>One page, newest first; <paramref name="before"/> is the last row's drafted_position from the page before.</summary>
    public async Task<(IReadOnlyList<V1.CarePlan> Plans, long? Next)> ListAsync(string clinicId, CarePlanStatus status, int pageSize, long? before, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            SELECT plan::text, drafted_position FROM {readModel.Table}
            WHERE clinic_id = $1 AND ($2 = 0 OR status = $2) AND ($3::bigint IS NULL OR drafted_position < $3)
            ORDER BY drafted_position DESC LIMIT $4
            """);
        command.Parameters.AddWithValue(clinicId);
        command.Parameters.AddWithValue((int)status);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)before ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        command.Parameters.AddWithValue(pageSize + 1);
        var plans = new List<V1.CarePlan>();
        long last = 0;
        var more = false;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (plans.Count == pageSize)
            {
                more = true;
                break;
            }

            plans.Add(CarePlanReadModel.Parse(reader.GetString(0)));
            last = reader.GetInt64(1);
        }

        return (plans, more ? last : null);
    }
}
