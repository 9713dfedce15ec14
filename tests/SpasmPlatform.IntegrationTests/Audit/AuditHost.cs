using SpasmPlatform.Audit.V1;
using SpasmPlatform.Contracts.Calling;
using SpasmPlatform.IntegrationTests.Assessment;

namespace SpasmPlatform.IntegrationTests.Audit;

/// <summary>
/// An assessment host whose care-plan service is unreachable (nothing listens on the discard port), so a decision
/// trace must say the plan could not be included rather than fail, and never reaches a care-plan service of another run.
/// </summary>
public class AuditHost : AssessmentHost
{
    public const string UnreachableCarePlan = "http://127.0.0.1:9";

    public AuditService.AuditServiceClient Audit => new(Channel);

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["CarePlan__Address"] = UnreachableCarePlan,
        ["CarePlan__CallTimeout"] = "00:00:05",
    };
}
