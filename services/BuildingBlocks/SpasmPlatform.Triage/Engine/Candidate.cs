using SpasmPlatform.Common.V1;

namespace SpasmPlatform.Triage.Engine;

/// <summary>One urgency the evaluation produced (a red flag, NG65, STarT Back, a referral rule) with its action.</summary>
internal readonly record struct Candidate(Urgency Urgency, int ActWithinMinutes, string Disposition);
