namespace SpasmPlatform.IntegrationTests.Assessment;

/// <summary>
/// An assessment host that links care plans one message at a time, so that a message published after another is
/// also handled after it: "the later one is linked" then proves the earlier one was handled.
/// </summary>
public sealed class CarePlanLinkHost : AssessmentHost
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Assessment__CarePlanLinkConcurrency"] = "1",
    };
}
