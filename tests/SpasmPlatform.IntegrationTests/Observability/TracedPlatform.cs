using Grpc.Health.V1;
using Npgsql;
using Grpc.Net.Client;
using Grpc.Core;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.Observability;

/// <summary>
/// Knowledge, assessment and care-plan processes wired as in production (assessment's outbox → RabbitMQ → care-plan's
/// queue), the assessment and care-plan ones exporting their telemetry to an in-process OTLP receiver.
/// </summary>
public sealed class TracedPlatform : IAsyncLifetime
{
    public OtlpReceiver Receiver { get; private set; } = null!;

    public TracedAssessmentHost Assessment { get; private set; } = null!;

    public ServiceProcess CarePlan { get; private set; } = null!;

    public string CarePlanSchema { get; } = $"careplan_it_{Guid.NewGuid():N}"[..27];

    private string QueuePrefix { get; } = $"it-{Guid.NewGuid():N}-"[..12];

    public async Task InitializeAsync()
    {
        Receiver = await OtlpReceiver.StartAsync();
        Assessment = new TracedAssessmentHost(Receiver);
        await Assessment.InitializeAsync();
        var environment = new Dictionary<string, string>(Receiver.Environment)
        {
            ["EventStore__Schema"] = CarePlanSchema,
            ["Knowledge__Address"] = Assessment.Knowledge.Service.Address.ToString(),
            ["CarePlan__QueuePrefix"] = QueuePrefix,
            ["Messaging__EntityPrefix"] = Assessment.Prefix,
        };
        CarePlan = ServiceProcess.Start("CarePlan", environment);
        await CarePlan.WaitForServingAsync();
    }

    public async Task DisposeAsync()
    {
        await CarePlan.DisposeAsync();
        await Assessment.DisposeAsync();
        var triageQueue = $"{QueuePrefix}careplan-triage-decided";
        var overriddenQueue = $"{QueuePrefix}careplan-triage-overridden";
        var erasedQueue = $"{QueuePrefix}careplan-clinical-notes-erased";
        await RabbitMqAdmin.DeleteAsync(
            Platform.RabbitMq,
            [triageQueue, $"{triageQueue}_error", overriddenQueue, $"{overriddenQueue}_error", erasedQueue, $"{erasedQueue}_error"],
            [triageQueue, overriddenQueue, erasedQueue]);
        await using var dataSource = NpgsqlDataSource.Create(Platform.Postgres);
        await using var drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS {CarePlanSchema} CASCADE");
        await drop.ExecuteNonQueryAsync();
        await Receiver.DisposeAsync();
    }
}
