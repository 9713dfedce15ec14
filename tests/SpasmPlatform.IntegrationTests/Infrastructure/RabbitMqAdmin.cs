using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace SpasmPlatform.IntegrationTests.Infrastructure;

/// <summary>Direct broker access for what MassTransit does not expose: reading an error queue, deleting what a test declared.</summary>
public static class RabbitMqAdmin
{
    public static async Task DeleteAsync(string uri, IEnumerable<string> queues, IEnumerable<string> exchanges)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(uri) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        foreach (var queue in queues)
        {
            await channel.QueueDeleteAsync(queue);
        }

        foreach (var exchange in exchanges)
        {
            await channel.ExchangeDeleteAsync(exchange);
        }
    }

    /// <summary>Takes the next message from <paramref name="queue"/>, waiting for the queue to exist and hold one.</summary>
    public static async Task<BasicGetResult> TakeAsync(string uri, string queue, TimeSpan timeout)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(uri) }.CreateConnectionAsync();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            // MassTransit declares an error queue on first use; a get before that fails and closes its channel.
            await using var channel = await connection.CreateChannelAsync();
            try
            {
                if (await channel.BasicGetAsync(queue, autoAck: true) is { } result)
                {
                    return result;
                }
            }
            catch (OperationInterruptedException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No message arrived on {queue} within {timeout}.");
            }

            await Task.Delay(50);
        }
    }

    public static async Task<uint> MessageCountAsync(string uri, string queue)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(uri) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (OperationInterruptedException)
        {
            // Never declared: nothing was ever moved there.
            return 0;
        }
    }
}
