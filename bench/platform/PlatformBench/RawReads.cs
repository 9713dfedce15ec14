using Npgsql;

namespace SpasmPlatform.Bench.Platform;

/// <summary>
/// The read ceilings: the indexed selects the services' reads come down to, by hand with Npgsql on the same tables
/// and rows, with no gRPC, authorization, access log, notes decryption or message building around them.
/// </summary>
internal sealed class RawReads(NpgsqlDataSource dataSource, string schema, string carePlanSchema)
{
    /// <summary>GetAssessment's row: the read model by primary key.</summary>
    public Task<string?> GetAsync(string assessmentId) => DrainAsync(
        $"SELECT assessment, sealed_clinical_notes FROM {schema}.assessments WHERE assessment_id = $1", assessmentId);

    /// <summary>ListAssessments' first page: a clinic's newest 50 (and one more, as the service asks) on its index.</summary>
    public Task<string?> ListAsync(string clinicId) => DrainAsync(
        $"SELECT assessment, sealed_clinical_notes FROM {schema}.assessments WHERE clinic_id = $1 ORDER BY submitted_at DESC, assessment_id DESC LIMIT 51", clinicId);

    /// <summary>A decision trace's rows: the assessment's events in order, and its care plan.</summary>
    public async Task<string?> TraceAsync(string assessmentId)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
            await using var batch = new NpgsqlBatch(connection)
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand($"SELECT seq_id, id, version, data::text, type, timestamp, correlation_id, causation_id, headers::text, user_name FROM {schema}.mt_events WHERE stream_id = $1 ORDER BY version")
                    {
                        Parameters = { new NpgsqlParameter { Value = $"assessment-{assessmentId}" } },
                    },
                    new NpgsqlBatchCommand($"SELECT plan::text FROM {carePlanSchema}.care_plans WHERE assessment_id = $1")
                    {
                        Parameters = { new NpgsqlParameter { Value = assessmentId } },
                    },
                },
            };
            await using var reader = await batch.ExecuteReaderAsync().ConfigureAwait(false);
            do
            {
                while (await reader.ReadAsync().ConfigureAwait(false))
                {
                    Touch(reader);
                }
            }
            while (await reader.NextResultAsync().ConfigureAwait(false));
            return null;
        }
        catch (NpgsqlException e)
        {
            return e.Message;
        }
    }

    /// <summary>Every event of the schema in global order, every column read: what StreamHistory and VerifyIntegrity must read.</summary>
    public async Task<long> ReadAllEventsAsync()
    {
        await using var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"SELECT seq_id, id, stream_id, version, data::text, type, timestamp, correlation_id, causation_id, headers::text, user_name FROM {schema}.mt_events ORDER BY seq_id",
            connection);
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        long events = 0;
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            Touch(reader);
            events++;
        }

        return events;
    }

    private async Task<string?> DrainAsync(string sql, string key)
    {
        try
        {
            await using var command = dataSource.CreateCommand(sql);
            command.Parameters.Add(new NpgsqlParameter { Value = key });
            await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
            var rows = 0;
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                Touch(reader);
                rows++;
            }

            return rows > 0 ? null : $"no row for {key}";
        }
        catch (NpgsqlException e)
        {
            return e.Message;
        }
    }

    // Materialize every value, as a server building its answer must.
    private static void Touch(NpgsqlDataReader reader)
    {
        for (var i = 0; i < reader.FieldCount; i++)
        {
            _ = reader.IsDBNull(i) ? null : reader.GetValue(i);
        }
    }
}
