namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>
/// Marten's daemon will not skip a sequence gap while any transaction in the database that began before the gap was
/// seen is still running (pg_stat_activity is database-wide), so a transaction another test holds open delays every
/// projection's passing of rolled-back gaps. These classes hold transactions open on purpose, so they run on their own.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AsyncProjectionCollection
{
    public const string Name = "Async projections";
}
