using System.ComponentModel.DataAnnotations;

namespace SpasmPlatform.CarePlan;

/// <summary>Configuration section "CarePlan" of the care-plan service.</summary>
public sealed class CarePlanOptions
{
    public const string Section = "CarePlan";

    /// <summary>
    /// Before each queue's name. Instances of one deployment share their queues and compete for messages; a separate
    /// deployment (or a test run on its own schema) names its own, so it never takes another's triages.
    /// </summary>
    [RegularExpression("^[a-z0-9-]*$")]
    public string QueuePrefix { get; set; } = string.Empty;

    /// <summary>
    /// Plans drafted at once. MassTransit's default is twice the cores; a draft spends most of its time waiting on the
    /// database and concurrent commits share a WAL flush, so more in flight keeps up with bursts. But each draft holds
    /// two connections, and 32 at a time in two instances exhausted PostgreSQL's 100 (seen in CI).
    /// </summary>
    [Range(1, 256)]
    public int DraftingConcurrency { get; set; } = 8;
}
