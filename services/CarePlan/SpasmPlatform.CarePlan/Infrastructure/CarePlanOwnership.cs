using Google.Protobuf;
using Google.Protobuf.Reflection;
using Npgsql;
using SpasmPlatform.ServiceDefaults.Security;

namespace SpasmPlatform.CarePlan.Infrastructure;

/// <summary>The clinic of the care plan (or of the assessment's plans) a request names, from the read model.</summary>
internal sealed class CarePlanOwnership(NpgsqlDataSource dataSource, CarePlanReadModel readModel) : IResourceOwnership
{
    public async ValueTask<string?> OwningClinicAsync(IMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        foreach (var column in (string[])["care_plan_id", "assessment_id"])
        {
            if (request.Descriptor.FindFieldByName(column) is { FieldType: FieldType.String, IsRepeated: false } field
                && field.Accessor.GetValue(request) is string { Length: > 0 } id)
            {
                // The column name comes from the fixed list above, never from the request.
                await using var command = dataSource.CreateCommand($"SELECT clinic_id FROM {readModel.Table} WHERE {column} = $1 LIMIT 1");
                command.Parameters.Add(new NpgsqlParameter { Value = id });
                return (string?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return null;
    }
}
