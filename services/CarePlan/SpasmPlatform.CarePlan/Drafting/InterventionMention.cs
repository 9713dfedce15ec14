using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.CarePlan.Drafting;

/// <summary>An intervention named in free text (notes, a disposition, an article's claim) and where it was named.</summary>
internal sealed record InterventionMention(Intervention Intervention, string Where);
