using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.Audit.V1;
using Npgsql;
using SpasmPlatform.Contracts.Calling;
using Grpc.Net.Client;
using Grpc.Core;
using SpasmPlatform.IntegrationTests.Assessment;
using SpasmPlatform.IntegrationTests.CarePlan;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.Audit;

/// <summary>
/// Knowledge, care-plan and assessment processes wired together as in a deployment (each on a schema of its own):
/// submissions are triaged, plans drafted from the TriageDecided messages and linked back, so a decision trace has
/// a care plan to include.
/// </summary>
public class AuditPlatform : AssessmentHost
{
    private readonly string _carePlanQueuePrefix = $"it-{Guid.NewGuid():N}-"[..12];

    public string CarePlanSchema { get; } = $"careplan_it_{Guid.NewGuid():N}"[..27];

    public ServiceProcess CarePlanService { get; private set; } = null!;

    public GrpcChannel CarePlanChannel { get; private set; } = null!;

    public AuditService.AuditServiceClient Audit => new(Channel);

    public AuditService.AuditServiceClient CarePlanAudit => new(CarePlanChannel);

    public CarePlanService.CarePlanServiceClient CarePlans => new(CarePlanChannel);

    // Its care-plan process must draft only this platform's triages, and its links must come only from that process.
    private readonly string _entityPrefix = MessagingIsolation.NewPrefix();

    protected override string? EntityPrefix => _entityPrefix;

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["CarePlan__Address"] = CarePlanService.Address.ToString(),
    };

    protected override async Task StartDependenciesAsync()
    {
        CarePlanService = ServiceProcess.Start("CarePlan", new Dictionary<string, string>
        {
            ["EventStore__Schema"] = CarePlanSchema,
            ["Knowledge__Address"] = Knowledge.Service.Address.ToString(),
            ["CarePlan__QueuePrefix"] = _carePlanQueuePrefix,
            ["Messaging__EntityPrefix"] = _entityPrefix,
        });
        await CarePlanPlatform.WaitServingAsync(CarePlanService);
        CarePlanChannel = GrpcChannel.ForAddress(CarePlanService.Address);
    }

    protected override async Task StopDependenciesAsync()
    {
        CarePlanChannel.Dispose();
        await CarePlanService.DisposeAsync();
        string[] queues =
        [
            $"{_carePlanQueuePrefix}careplan-triage-decided", $"{_carePlanQueuePrefix}careplan-triage-overridden", $"{_carePlanQueuePrefix}careplan-clinical-notes-erased",
        ];
        await RabbitMqAdmin.DeleteAsync(Platform.RabbitMq, [.. queues, .. queues.Select(q => $"{q}_error")], queues);
        await using var dataSource = NpgsqlDataSource.Create(Platform.Postgres);
        await using var drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS {CarePlanSchema} CASCADE");
        await drop.ExecuteNonQueryAsync();
    }
}
