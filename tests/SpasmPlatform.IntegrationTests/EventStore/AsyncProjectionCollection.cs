namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>
/// pg_snapshot_xmin is cluster-wide: a transaction another test holds open delays every projection's passing of
/// gaps (never its correctness). These classes hold transactions open on purpose, so they run on their own.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AsyncProjectionCollection
{
    public const string Name = "Async projections";
}
