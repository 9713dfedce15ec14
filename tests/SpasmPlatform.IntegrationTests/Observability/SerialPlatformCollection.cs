namespace SpasmPlatform.IntegrationTests.Observability;

/// <summary>
/// Tests that start their own care-plan (or several assessment) processes run alone: a care-plan service drafts for
/// every TriageDecided on the broker, so running beside other classes it would add care-plan links to their streams.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialPlatformCollection
{
    public const string Name = "serial platform processes";
}
