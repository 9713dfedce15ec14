using Google.Protobuf;
using Google.Protobuf.Reflection;
using Npgsql;

namespace SpasmPlatform.ServiceDefaults.Security;

/// <summary>
/// The clinic that owns what a request names, from a read model with a <c>clinic_id</c> column: the first of
/// <paramref name="idFields"/> the request sets is looked up in the column of the same name (indexed in each read
/// model). Field and table names come from the service's wiring, never from the request.
/// </summary>
public sealed class ReadModelOwnership(NpgsqlDataSource dataSource, string table, params string[] idFields) : IResourceOwnership
{
    public async ValueTask<string?> OwningClinicAsync(IMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        foreach (var column in idFields)
        {
            if (request.Descriptor.FindFieldByName(column) is { FieldType: FieldType.String, IsRepeated: false } field
                && field.Accessor.GetValue(request) is string { Length: > 0 } id)
            {
                await using var command = dataSource.CreateCommand($"SELECT clinic_id FROM {table} WHERE {column} = $1 LIMIT 1");
                command.Parameters.Add(new NpgsqlParameter { Value = id });
                return (string?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return null;
    }
}
