using System.Security.Cryptography.X509Certificates;
using Npgsql;
using Grpc.Net.Client;
using Grpc.Core;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.Security;

/// <summary>
/// The three services with mutual TLS, as deployed: each presents a certificate of the test CA (role "service") to its
/// callers and to the services it calls, and trusts only certificates of that CA.
/// </summary>
public sealed class SecurePlatform : IAsyncLifetime
{
    public const string ClinicA = "clinic-a";
    public const string ClinicB = "clinic-b";

    private readonly string _suffix = Guid.NewGuid().ToString("N")[..10];
    private readonly string _entityPrefix = MessagingIsolation.NewPrefix();
    private readonly string _queuePrefix = $"it-{Guid.NewGuid():N}-"[..12];

    public TestPki Pki { get; } = new();

    /// <summary>The broker prefix of these processes: anything that listens to their events (the console) needs it.</summary>
    public string EntityPrefix => _entityPrefix;

    public ServiceProcess Knowledge { get; private set; } = null!;

    public ServiceProcess CarePlan { get; private set; } = null!;

    public ServiceProcess Assessment { get; private set; } = null!;

    /// <summary>The knowledge process's cleartext health-only port (what Kubernetes probes).</summary>
    public int HealthPort { get; } = ServiceProcess.FreePort();

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow.AddMinutes(-1);

    private string[] Schemas => [$"knowledge_sec_{_suffix}", $"careplan_sec_{_suffix}", $"assessment_sec_{_suffix}"];

    public X509Certificate2 ClinicSystem(string clinic) => Pki.Client($"CN=ehr-{clinic}, OU=clinic-system, O={clinic}");

    public X509Certificate2 Physiotherapist(string clinic) => Pki.Client($"CN=physio-tool-{clinic}, OU=physiotherapist, O={clinic}");

    public X509Certificate2 DataController(string clinic) => Pki.Client($"CN=dpo-{clinic}, OU=data-controller, O={clinic}");

    public X509Certificate2 Auditor => Pki.Client("CN=audit-desk, OU=auditor, O=spasm-platform");

    public X509Certificate2 ServiceIdentity => Pki.Client("CN=batch-job, OU=service");

    public X509Certificate2 KnowledgeEditor => Pki.Client("CN=editor, OU=knowledge-editor");

    /// <summary>The web console: calls only for the people signed in to it.</summary>
    public X509Certificate2 WebConsole => Pki.Client("CN=web-console, OU=console");

    public GrpcChannel Channel(ServiceProcess service, X509Certificate2? client) => Pki.Channel(service.Address, client);

    public async Task InitializeAsync()
    {
        Knowledge = await StartAsync("Knowledge", "knowledge", Schemas[0], new()
        {
            ["Grpc__HealthPort"] = HealthPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        CarePlan = await StartAsync("CarePlan", "care-plan", Schemas[1], new()
        {
            ["Knowledge__Address"] = Knowledge.Address.ToString(),
            ["CarePlan__QueuePrefix"] = _queuePrefix,
        });
        Assessment = await StartAsync("Assessment", "assessment", Schemas[2], new()
        {
            ["Knowledge__Address"] = Knowledge.Address.ToString(),
            ["CarePlan__Address"] = CarePlan.Address.ToString(),
        });
    }

    public async Task DisposeAsync()
    {
        foreach (var service in new[] { Assessment, CarePlan, Knowledge })
        {
            if (service is not null)
            {
                await service.DisposeAsync();
            }
        }

        string[] queues = [$"{_queuePrefix}careplan-triage-decided", $"{_queuePrefix}careplan-triage-overridden"];
        await RabbitMqAdmin.DeleteAsync(Platform.RabbitMq, [.. queues, .. queues.Select(q => $"{q}_error")], queues);
        await using var dataSource = NpgsqlDataSource.Create(Platform.Postgres);
        foreach (var schema in Schemas)
        {
            await using var drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE");
            await drop.ExecuteNonQueryAsync();
        }

        Pki.Dispose();
    }

    /// <summary>The environment of a mutual-TLS process; tests that start their own (bad settings) add to it.</summary>
    public Dictionary<string, string> TlsEnvironment(string serviceName)
    {
        var (certificate, key, _) = Pki.Issue($"CN={serviceName}, OU=service", server: true);
        return new Dictionary<string, string>
        {
            ["Security__Mode"] = "MutualTls",
            ["Security__Certificate"] = certificate,
            ["Security__CertificateKey"] = key,
            ["Security__TrustedCa"] = Pki.CaPath,
            ["Messaging__EntityPrefix"] = _entityPrefix,
        };
    }

    private async Task<ServiceProcess> StartAsync(string project, string serviceName, string schema, Dictionary<string, string> settings)
    {
        var environment = TlsEnvironment(serviceName);
        environment["EventStore__Schema"] = schema;
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        var process = ServiceProcess.Start(project, environment, address => Pki.Channel(address, null));
        await process.WaitForServingAsync();
        return process;
    }
}
