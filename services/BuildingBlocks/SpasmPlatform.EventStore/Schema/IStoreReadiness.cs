namespace SpasmPlatform.EventStore.Schema;

/// <summary>Whether the store's schema, with the tables the service keeps beside its events, is in place.</summary>
public interface IStoreReadiness
{
    bool IsReady { get; }

    Task WhenReadyAsync(CancellationToken cancellationToken);
}
