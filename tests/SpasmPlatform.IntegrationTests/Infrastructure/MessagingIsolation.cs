namespace SpasmPlatform.IntegrationTests.Infrastructure;

/// <summary>
/// Test platforms that run care-plan processes would otherwise draft plans for every TriageDecided on the shared
/// broker, and link them into other test classes' assessments. Such platforms give all their processes (and their test
/// buses) one entity prefix (the services' Messaging:EntityPrefix), so their exchanges are theirs alone.
/// </summary>
public static class MessagingIsolation
{
    public static string NewPrefix() => $"it{Guid.NewGuid():N}"[..14];

    /// <summary>The exchange MassTransit uses for <paramref name="messageType"/> ("Namespace:Type") under <paramref name="prefix"/>.</summary>
    public static string Exchange(string? prefix, string messageType) => string.IsNullOrEmpty(prefix) ? messageType : $"{prefix}.{messageType}";

    public static void Add(IDictionary<string, string> environment, string? prefix)
    {
        if (!string.IsNullOrEmpty(prefix))
        {
            environment["Messaging__EntityPrefix"] = prefix;
        }
    }

    /// <summary>A test bus that publishes to (and names exchanges like) services running under <paramref name="prefix"/>.</summary>
    public static void Configure(MassTransit.IRabbitMqBusFactoryConfigurator cfg, string? prefix)
    {
        if (!string.IsNullOrEmpty(prefix))
        {
            cfg.MessageTopology.SetEntityNameFormatter(new SpasmPlatform.ServiceDefaults.Messaging.PrefixedEntityNames(prefix, cfg.MessageTopology.EntityNameFormatter));
        }
    }
}
