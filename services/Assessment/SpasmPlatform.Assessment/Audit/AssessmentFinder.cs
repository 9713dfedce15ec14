using Npgsql;
using NpgsqlTypes;
using SpasmPlatform.Assessment.Infrastructure;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.ServiceDefaults.Grpc;

namespace SpasmPlatform.Assessment.Audit;

/// <summary>
/// An auditor's search by patient or period, across clinics, on the read model's indexes: newest first, keyset paged
/// like a clinic's list. Summaries are cut from the stored state, so no sealed note is opened for a search.
/// </summary>
internal sealed class AssessmentFinder(NpgsqlDataSource dataSource, AssessmentReadModel readModel)
{
    public async Task<FindAssessmentsResponse> FindAsync(FindAssessmentsRequest request, CancellationToken cancellationToken)
    {
        // The validator has already refused tokens that do not read or were issued for another search.
        PagePosition? after = PageToken.Read(request.PageToken, request, out var position) == PageTokenReading.Valid ? position : null;
        var size = request.PageSize == 0 ? FieldRules.DefaultPageSize : request.PageSize;

        // Unset filters are passed as NULL and fold away when PostgreSQL plans the statement with its values, so each
        // search uses the index that fits it (patient, clinic or time).
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT assessment FROM {readModel.Table}
            WHERE ($1::text IS NULL OR patient_ref = $1)
              AND ($2::text IS NULL OR clinic_id = $2)
              AND ($3::timestamptz IS NULL OR submitted_at >= $3)
              AND ($4::timestamptz IS NULL OR submitted_at < $4)
              AND ($5::timestamptz IS NULL OR (submitted_at, assessment_id) < ($5::timestamptz, $6))
            ORDER BY submitted_at DESC, assessment_id DESC
            LIMIT $7
            """, connection);
        command.Parameters.Add(Text(request.PatientRef));
        command.Parameters.Add(Text(request.ClinicId));
        command.Parameters.Add(Time(request.SubmittedFrom?.ToDateTimeOffset()));
        command.Parameters.Add(Time(request.SubmittedTo?.ToDateTimeOffset()));
        command.Parameters.Add(Time(after is { } start ? DateTimeOffset.UnixEpoch.AddTicks(start.Number * 10) : null));
        command.Parameters.Add(new NpgsqlParameter { Value = after?.Key ?? string.Empty });
        // One extra row says whether another page exists, without a count.
        command.Parameters.Add(new NpgsqlParameter { Value = size + 1 });

        var found = new List<AssessmentMessage>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                found.Add(AssessmentMessage.Parser.ParseFrom(reader.GetFieldValue<byte[]>(0)));
            }
        }

        var response = new FindAssessmentsResponse();
        response.Assessments.Add(found.Take(size).Select(Summary));
        if (found.Count > size)
        {
            var last = found[size - 1];
            var micros = (last.SubmittedAt.ToDateTimeOffset() - DateTimeOffset.UnixEpoch).Ticks / 10;
            response.NextPageToken = PageToken.Issue(request, new PagePosition(micros, last.AssessmentId));
        }

        return response;
    }

    public static AssessmentSummary Summary(AssessmentMessage assessment) => new()
    {
        AssessmentId = assessment.AssessmentId,
        ClinicId = assessment.ClinicId,
        PatientRef = assessment.PatientRef,
        ClinicianId = assessment.ClinicianId,
        SubmittedAt = assessment.SubmittedAt,
        Urgency = assessment.Triage?.Urgency ?? default,
        Overridden = assessment.Triage?.Override is not null,
        CarePlanId = assessment.CarePlanId,
        Version = assessment.Version,
        ClinicalNotesErased = assessment.ClinicalNotesErased,
    };

    private static NpgsqlParameter Text(string value) =>
        new() { Value = value.Length == 0 ? DBNull.Value : value, NpgsqlDbType = NpgsqlDbType.Text };

    private static NpgsqlParameter Time(DateTimeOffset? value) =>
        new() { Value = value is { } time ? time : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz };
}
