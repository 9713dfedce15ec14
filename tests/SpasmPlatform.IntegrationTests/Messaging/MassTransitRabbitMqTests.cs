using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.Messaging;

/// <summary>
/// MassTransit.RabbitMQ 8.5.12 asks for RabbitMQ.Client 7.2.2; we run it on 7.1.2 (all the registry has).
/// These tests keep proving that pairing against a real broker: publish with confirms, consume, retry, dead-letter.
/// </summary>
public sealed class MassTransitRabbitMqTests
{
    [Fact]
    public async Task Published_message_reaches_its_consumer()
    {
        var queue = $"it-ping-{Guid.NewGuid():N}";
        var received = new TaskCompletionSource<PingSent>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var provider = BuildBus(queue, context =>
        {
            received.TrySetResult(context.Message);
            return Task.CompletedTask;
        });
        var bus = provider.GetRequiredService<IBusControl>();
        await bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        try
        {
            var id = Guid.NewGuid();
            await bus.Publish(new PingSent(id, "clinic-1"));

            var message = await received.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(id, message.PingId);
            Assert.Equal("clinic-1", message.ClinicId);
        }
        finally
        {
            await bus.StopAsync();
            await DeleteQueuesAsync(queue);
        }
    }

    [Fact]
    public async Task Failing_consumer_is_retried_then_dead_lettered_to_the_error_queue()
    {
        var queue = $"it-fail-{Guid.NewGuid():N}";
        var attempts = 0;
        await using var provider = BuildBus(queue, _ =>
        {
            Interlocked.Increment(ref attempts);
            throw new InvalidOperationException("consumer always fails");
        }, retries: 2);
        var bus = provider.GetRequiredService<IBusControl>();
        await bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        try
        {
            var id = Guid.NewGuid();
            await bus.Publish(new PingSent(id, "clinic-2"));

            var dead = await WaitForMessageAsync($"{queue}_error", TimeSpan.FromSeconds(30));
            Assert.Contains(id.ToString(), System.Text.Encoding.UTF8.GetString(dead), StringComparison.OrdinalIgnoreCase);
            Assert.Equal(3, Volatile.Read(ref attempts));
        }
        finally
        {
            await bus.StopAsync();
            await DeleteQueuesAsync(queue, $"{queue}_error");
        }
    }

    private static ServiceProvider BuildBus(string queue, Func<ConsumeContext<PingSent>, Task> handler, int retries = 0)
    {
        var services = new ServiceCollection();
        services.AddMassTransit(bus => bus.UsingRabbitMq((context, cfg) =>
        {
            cfg.Host(new Uri(Platform.RabbitMq));
            cfg.ReceiveEndpoint(queue, endpoint =>
            {
                if (retries > 0)
                {
                    endpoint.UseMessageRetry(r => r.Immediate(retries));
                }

                endpoint.Handler<PingSent>(context => handler(context));
            });
        }));
        return services.BuildServiceProvider();
    }

    private static async Task<byte[]> WaitForMessageAsync(string queue, TimeSpan timeout)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(Platform.RabbitMq) }.CreateConnectionAsync();
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            // The error queue is declared lazily by MassTransit; until then a get fails and closes its channel.
            await using var channel = await connection.CreateChannelAsync();
            try
            {
                var result = await channel.BasicGetAsync(queue, autoAck: true);
                if (result is not null)
                {
                    return result.Body.ToArray();
                }
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"No message arrived on {queue} within {timeout}.");
    }

    private static async Task DeleteQueuesAsync(params string[] queues)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(Platform.RabbitMq) }.CreateConnectionAsync();
        foreach (var queue in queues)
        {
            await using var channel = await connection.CreateChannelAsync();
            await channel.QueueDeleteAsync(queue);
            await channel.ExchangeDeleteAsync(queue);
        }
    }
}
