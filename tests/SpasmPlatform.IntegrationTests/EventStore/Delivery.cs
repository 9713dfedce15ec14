namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>One message as a consumer received it.</summary>
public sealed record Delivery<T>(Guid? MessageId, T Message, IReadOnlyDictionary<string, object?> Headers);
