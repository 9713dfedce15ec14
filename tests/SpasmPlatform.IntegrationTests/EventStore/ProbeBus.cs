using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>
/// A consuming service's bus: one queue that records every <typeparamref name="T"/>, one message at a time so arrival
/// order is queue order. The message type's exchange gets a name of its own (<see cref="EntityName"/>) so parallel test
/// runs on the shared broker never see each other's messages; every bus publishing T in the test must use it too.
/// Disposing stops the bus and deletes the queues and exchanges it declared.
/// </summary>
public sealed class ProbeBus<T> : IAsyncDisposable
    where T : class
{
    private readonly ServiceProvider _provider;
    private readonly string _rabbitUri;

    private ProbeBus(string rabbitUri, string queue, string entityName)
    {
        _rabbitUri = rabbitUri;
        Queue = queue;
        EntityName = entityName;
        var services = new ServiceCollection();
        services.AddMassTransit(bus => bus.UsingRabbitMq((_, cfg) =>
        {
            cfg.Host(new Uri(rabbitUri));
            cfg.Message<T>(m => m.SetEntityName(entityName));
            cfg.ReceiveEndpoint(queue, endpoint =>
            {
                endpoint.PrefetchCount = 32;
                endpoint.ConcurrentMessageLimit = 1;
                endpoint.Handler<T>(Deliveries.RecordAsync);
            });
        }));
        _provider = services.BuildServiceProvider();
    }

    public string Queue { get; }

    public string EntityName { get; }

    public Deliveries<T> Deliveries { get; } = new();

    public IBusControl Bus => _provider.GetRequiredService<IBusControl>();

    public static async Task<ProbeBus<T>> StartAsync(string rabbitUri)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var probe = new ProbeBus<T>(rabbitUri, $"it-{typeof(T).Name}-{id}", $"it-{typeof(T).Name}-{id}-exchange");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await probe.Bus.StartAsync(timeout.Token);
        return probe;
    }

    /// <summary>Configures another bus (the producer's) to publish <typeparamref name="T"/> where this one consumes it.</summary>
    public void ConfigurePublisher(IBusFactoryConfigurator cfg) => cfg.Message<T>(m => m.SetEntityName(EntityName));

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await Bus.StopAsync(timeout.Token);
        }
        finally
        {
            await _provider.DisposeAsync();
            await RabbitMqAdmin.DeleteAsync(_rabbitUri, [Queue, $"{Queue}_error", $"{Queue}_skipped"], [Queue, $"{Queue}_error", $"{Queue}_skipped", EntityName]);
        }
    }
}
