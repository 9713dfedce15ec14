using System.Text;
using Npgsql;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.Privacy;

/// <summary>
/// Searches every column of every table of a schema for a string, as stored: text and jsonb as text, bytea (the
/// assessment read model's protobuf) byte for byte, anything else through its text form.
/// </summary>
internal static class SchemaScan
{
    /// <summary>"table.column" for every column holding <paramref name="needle"/> in at least one row.</summary>
    public static async Task<IReadOnlyList<string>> FindAsync(string schema, string needle)
    {
        await using var dataSource = NpgsqlDataSource.Create(Platform.Postgres);
        var columns = new List<(string Table, string Column, string Type)>();
        await using (var list = dataSource.CreateCommand(
            "SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c JOIN information_schema.tables t "
            + "ON t.table_schema = c.table_schema AND t.table_name = c.table_name WHERE c.table_schema = $1 AND t.table_type = 'BASE TABLE'"))
        {
            list.Parameters.AddWithValue(schema);
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                columns.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
        }

        if (columns.Count == 0)
        {
            throw new InvalidOperationException($"Schema {schema} has no tables to scan.");
        }

        var hits = new List<string>();
        foreach (var (table, column, type) in columns)
        {
            var bytea = type == "bytea";
            var condition = bytea ? $"position($1::bytea in \"{column}\") > 0" : $"strpos(\"{column}\"::text, $1) > 0";
            await using var probe = dataSource.CreateCommand($"SELECT EXISTS (SELECT 1 FROM {schema}.\"{table}\" WHERE {condition})");
            probe.Parameters.Add(bytea ? new NpgsqlParameter { Value = Encoding.UTF8.GetBytes(needle) } : new NpgsqlParameter { Value = needle });
            if ((bool)(await probe.ExecuteScalarAsync())!)
            {
                hits.Add($"{table}.{column}");
            }
        }

        return hits;
    }
}
