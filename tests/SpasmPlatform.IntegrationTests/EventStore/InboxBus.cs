using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Inbox;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>
/// A consuming service's bus wired as a host would: <see cref="AppendingProbeConsumer"/> added with
/// <see cref="InboxConsumerExtensions.AddIdempotentConsumer{TConsumer}"/> and its endpoint from ConfigureEndpoints.
/// Queue and exchange names are unique to the test and deleted on disposal.
/// </summary>
public sealed class InboxBus : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private InboxBus(IEventStore store, InboxScenario scenario, InboxRetryPolicy retry, string queue, string entityName)
    {
        Queue = queue;
        EntityName = entityName;
        var services = new ServiceCollection();
        services.AddSingleton(store);
        services.AddSingleton(scenario);
        services.AddMassTransit(bus =>
        {
            bus.AddIdempotentConsumer<AppendingProbeConsumer>(retry).Endpoint(endpoint => endpoint.Name = queue);
            // Fault<T> events go to exchanges named after the message type, shared by every run on the broker and left
            // behind; what these tests check is the error queue, which MassTransit fills either way.
            bus.AddConfigureEndpointsCallback((_, endpoint) => endpoint.PublishFaults = false);
            bus.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(new Uri(Platform.RabbitMq));
                cfg.Message<InboxProbe>(m => m.SetEntityName(entityName));
                cfg.ConfigureEndpoints(context);
            });
        });
        _provider = services.BuildServiceProvider();
        Bus.ConnectConsumeMessageObserver(Consumed);
    }

    public string Queue { get; }

    public string EntityName { get; }

    public ConsumeCounter<InboxProbe> Consumed { get; } = new();

    public IBusControl Bus => _provider.GetRequiredService<IBusControl>();

    public static async Task<InboxBus> StartAsync(IEventStore store, InboxScenario scenario, InboxRetryPolicy retry)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var bus = new InboxBus(store, scenario, retry, $"it-inbox-{id}", $"it-inbox-{id}-exchange");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await bus.Bus.StartAsync(timeout.Token);
        return bus;
    }

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
            await RabbitMqAdmin.DeleteAsync(Platform.RabbitMq, [Queue, $"{Queue}_error", $"{Queue}_skipped"], [Queue, $"{Queue}_error", $"{Queue}_skipped", EntityName]);
        }
    }
}
