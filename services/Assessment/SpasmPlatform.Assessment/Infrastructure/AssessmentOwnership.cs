using Google.Protobuf;
using Npgsql;
using SpasmPlatform.ServiceDefaults.Security;

namespace SpasmPlatform.Assessment.Infrastructure;

/// <summary>The clinic of the assessment a request names, from the read model's indexed column.</summary>
internal sealed class AssessmentOwnership(NpgsqlDataSource dataSource, AssessmentReadModel readModel) : IResourceOwnership
{
    public async ValueTask<string?> OwningClinicAsync(IMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Descriptor.FindFieldByName("assessment_id") is not { FieldType: Google.Protobuf.Reflection.FieldType.String, IsRepeated: false } field
            || field.Accessor.GetValue(request) is not string { Length: > 0 } assessmentId)
        {
            return null;
        }

        await using var command = dataSource.CreateCommand($"SELECT clinic_id FROM {readModel.Schema}.assessments WHERE assessment_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = assessmentId });
        return (string?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }
}
