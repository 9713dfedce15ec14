using SpasmPlatform.IntegrationTests.Infrastructure;
using SpasmPlatform.IntegrationTests.Assessment;

namespace SpasmPlatform.IntegrationTests.Observability;

/// <summary>The knowledge and assessment processes of <see cref="AssessmentHost"/>, the assessment one exporting to <paramref name="receiver"/>.</summary>
public sealed class TracedAssessmentHost(OtlpReceiver receiver) : AssessmentHost
{
    protected override IReadOnlyDictionary<string, string> Settings => receiver.Environment;

    /// <summary>Shared with the platform's care-plan process, so it drafts only this platform's triages.</summary>
    public string Prefix { get; } = MessagingIsolation.NewPrefix();

    protected override string? EntityPrefix => Prefix;
}
