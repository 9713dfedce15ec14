using Google.Protobuf;
using Npgsql;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.Contracts.Calling;
using Grpc.Core;
using SpasmPlatform.IntegrationTests.Audit;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.Privacy;

/// <summary>Waiting for the asynchronous half of the platform (plans drafted, linked, outbox sent) and reading history, for the privacy tests.</summary>
internal static class PrivacyPlatformReads
{
    public static SubmitAssessmentRequest Sample(string name, string clinicId, string patientRef, string notes)
    {
        var submission = JsonParser.Default.Parse<SubmitAssessmentRequest>(File.ReadAllText(Path.Combine(Platform.RepoRoot, "samples", "assessments", $"{name}.json")));
        submission.RequestId = $"{name}-{Guid.NewGuid():N}";
        submission.ClinicId = clinicId;
        submission.PatientRef = patientRef;
        submission.ClinicalNotes = notes;
        return submission;
    }

    public static async Task<SpasmPlatform.CarePlan.V1.CarePlan> PlanAsync(AuditPlatform platform, string assessmentId, Func<SpasmPlatform.CarePlan.V1.CarePlan, bool>? until = null)
    {
        SpasmPlatform.CarePlan.V1.CarePlan? plan = null;
        await Eventually.WaitAsync(async () =>
        {
            try
            {
                plan = await platform.CarePlans.GetCarePlanAsync(new GetCarePlanRequest { AssessmentId = assessmentId });
                return until?.Invoke(plan) ?? true;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), $"a care plan for {assessmentId}; care-plan output:\n{platform.CarePlanService.Output}");
        return plan!;
    }

    public static async Task<SpasmPlatform.Assessment.V1.Assessment> LinkedAsync(AuditPlatform platform, string assessmentId)
    {
        SpasmPlatform.Assessment.V1.Assessment? assessment = null;
        await Eventually.WaitAsync(async () =>
        {
            assessment = await platform.Client.GetAssessmentAsync(new GetAssessmentRequest { AssessmentId = assessmentId });
            return assessment.CarePlanId.Length > 0;
        }, TimeSpan.FromSeconds(60), $"assessment {assessmentId} to be linked to its plan");
        return assessment!;
    }

    /// <summary>Waits until every outbox row of the schema has been sent: what stays behind is what the outbox keeps.</summary>
    public static Task OutboxDrainedAsync(string schema) =>
        Eventually.WaitAsync(async () =>
        {
            await using var dataSource = NpgsqlDataSource.Create(Platform.Postgres);
            await using var command = dataSource.CreateCommand($"SELECT count(*) FILTER (WHERE sent_at IS NULL), count(*) FROM {schema}.outbox");
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            return reader.GetInt64(0) == 0 && reader.GetInt64(1) > 0;
        }, TimeSpan.FromSeconds(60), $"the outbox of {schema} to be sent");

    public static async Task<List<HistoryEvent>> HistoryAsync(AuditService.AuditServiceClient audit, StreamHistoryRequest request)
    {
        using var call = audit.StreamHistory(request);
        var events = new List<HistoryEvent>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            events.Add(call.ResponseStream.Current);
        }

        return events;
    }

    public static async Task<long> ScalarAsync(string sql, params object[] parameters)
    {
        await using var dataSource = NpgsqlDataSource.Create(Platform.Postgres);
        await using var command = dataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return (long)(await command.ExecuteScalarAsync())!;
    }
}
