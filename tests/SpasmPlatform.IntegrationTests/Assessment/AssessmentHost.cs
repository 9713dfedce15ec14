using SpasmPlatform.Assessment.V1;
using Grpc.Health.V1;
using Npgsql;
using SpasmPlatform.Contracts.Calling;
using Grpc.Net.Client;
using Grpc.Core;
using SpasmPlatform.IntegrationTests.Infrastructure;
using SpasmPlatform.IntegrationTests.Knowledge;

namespace SpasmPlatform.IntegrationTests.Assessment;

/// <summary>
/// A knowledge process and an assessment process that asks it for rules, each on a schema of its own (dropped
/// afterwards), serving once the assessment service has loaded a knowledge version.
/// </summary>
public class AssessmentHost : IAsyncLifetime
{
    public string Schema { get; } = $"assessment_it_{Guid.NewGuid():N}"[..29];

    public KnowledgeHost Knowledge => _knowledge ??= new KnowledgeHost { EntityPrefix = EntityPrefix, Settings = KnowledgeSettings };

    private KnowledgeHost? _knowledge;

    public ServiceProcess Service { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public AssessmentService.AssessmentServiceClient Client { get; private set; } = null!;

    /// <summary>The deployment's CarePlanDrafted queue (named after its schema by the service).</summary>
    public string CarePlanQueue => AssessmentQueues.CarePlanDrafted(Schema);

    /// <summary>
    /// Messaging:EntityPrefix for this platform's processes (see MessagingIsolation): one of their own by default, so
    /// that what they announce (triages, knowledge versions) reaches no other test class and no platform of `./spasm up`
    /// on the same broker, whose care-plan queue would otherwise collect every test triage.
    /// </summary>
    protected virtual string? EntityPrefix => _prefix;

    private readonly string _prefix = MessagingIsolation.NewPrefix();

    /// <summary>The prefix a test's own bus must use to reach these processes (see MessagingIsolation.Configure).</summary>
    public string? MessagingPrefix => EntityPrefix;

    /// <summary>Extra settings for the knowledge process (null: none).</summary>
    protected virtual IReadOnlyDictionary<string, string>? KnowledgeSettings => null;

    /// <summary>Extra settings for the assessment process.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>();

    /// <summary>Other processes the assessment service talks to, started after the knowledge service and before it.</summary>
    protected virtual Task StartDependenciesAsync() => Task.CompletedTask;

    protected virtual Task StopDependenciesAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        await Knowledge.InitializeAsync();
        await StartDependenciesAsync();
        var environment = new Dictionary<string, string>(Settings)
        {
            ["EventStore__Schema"] = Schema,
            ["Knowledge__Address"] = Knowledge.Service.Address.ToString(),
        };
        MessagingIsolation.Add(environment, EntityPrefix);
        Service = ServiceProcess.Start("Assessment", environment);
        Channel = GrpcChannel.ForAddress(Service.Address);
        Client = new AssessmentService.AssessmentServiceClient(Channel);
        await Service.WaitForServingAsync();
    }

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        await Service.DisposeAsync();
        await StopDependenciesAsync();
        await Knowledge.DisposeAsync();
        await AssessmentQueues.DeleteAsync(Schema);
        await using var dataSource = NpgsqlDataSource.Create(Platform.Postgres);
        await using var drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS {Schema} CASCADE");
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>Rows in the assessment store's events table (optionally of one stream).</summary>
    public Task<long> CountEventsAsync(string? assessmentId = null) =>
        assessmentId is null
            ? ScalarAsync($"SELECT count(*) FROM {Schema}.mt_events")
            : ScalarAsync($"SELECT count(*) FROM {Schema}.mt_events WHERE stream_id = 'assessment-' || $1", assessmentId);

    public Task<long> CountEventsAsync(string assessmentId, string eventType) =>
        ScalarAsync($"SELECT count(*) FROM {Schema}.mt_events WHERE stream_id = 'assessment-' || $1 AND type = $2", assessmentId, eventType);

    /// <summary>Links of one assessment to one care plan id (the event data's care_plan_id).</summary>
    public Task<long> CountLinksAsync(string assessmentId, string carePlanId) =>
        ScalarAsync(
            $"SELECT count(*) FROM {Schema}.mt_events WHERE stream_id = 'assessment-' || $1 AND type = 'assessment.care_plan_linked' AND data->>'care_plan_id' = $2",
            assessmentId, carePlanId);

    /// <summary>Outbox rows about one assessment of an integration message type (e.g. "SpasmPlatform.Contracts.IntegrationEvents.TriageDecided").</summary>
    public Task<long> CountOutboxAsync(string assessmentId, string messageType) =>
        ScalarAsync($"SELECT count(*) FROM {Schema}.outbox WHERE stream_id = 'assessment-' || $1 AND message_type = $2", assessmentId, messageType);

    private static async Task<long> ScalarAsync(string sql, params object[] parameters)
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
