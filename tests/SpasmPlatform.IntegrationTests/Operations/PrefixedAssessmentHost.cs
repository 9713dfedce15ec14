using SpasmPlatform.IntegrationTests.Assessment;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.Operations;

/// <summary>The knowledge and assessment processes of <see cref="AssessmentHost"/> on an entity prefix of their own, for a test that adds care-plan processes.</summary>
public sealed class PrefixedAssessmentHost : AssessmentHost
{
    /// <summary>Given to the test's care-plan processes too, so they draft only this host's triages.</summary>
    public string Prefix { get; } = MessagingIsolation.NewPrefix();

    protected override string? EntityPrefix => Prefix;
}
