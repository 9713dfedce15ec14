using SpasmPlatform.Common.V1;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.CarePlan.Drafting;

/// <summary>An intervention something in the triage calls for, with every reason found for it (in the order found).</summary>
internal sealed class CandidateIntervention(Intervention intervention, int firstSeen)
{
    public Intervention Intervention { get; } = intervention;

    public int FirstSeen { get; } = firstSeen;

    public List<string> Reasons { get; } = [];

    public List<Citation> ReasonSources { get; } = [];
}
