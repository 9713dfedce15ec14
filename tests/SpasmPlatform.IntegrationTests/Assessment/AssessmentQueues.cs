using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.Assessment;

/// <summary>
/// The durable queue an assessment process declares for its deployment (named after its event-store schema).
/// Tests delete it afterwards: left behind, it would keep collecting every CarePlanDrafted published on the broker.
/// </summary>
public static class AssessmentQueues
{
    public static string CarePlanDrafted(string schema) => $"{schema}-care-plan-drafted";

    public static Task DeleteAsync(string schema)
    {
        var queue = CarePlanDrafted(schema);
        string[] names = [queue, $"{queue}_error", $"{queue}_skipped"];
        return RabbitMqAdmin.DeleteAsync(Platform.RabbitMq, names, names);
    }
}
