using MassTransit;

namespace SpasmPlatform.ServiceDefaults.Messaging;

/// <summary>
/// Puts "<prefix>." before every exchange MassTransit derives from a message type, so several platforms (staging
/// beside production, or test runs) can share one RabbitMQ without consuming each other's messages.
/// </summary>
public sealed class PrefixedEntityNames(string prefix, IEntityNameFormatter inner) : IEntityNameFormatter
{
    public string FormatEntityName<T>() => $"{prefix}.{inner.FormatEntityName<T>()}";
}
