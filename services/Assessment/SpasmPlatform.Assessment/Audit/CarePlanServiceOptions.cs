namespace SpasmPlatform.Assessment.Audit;

/// <summary>Configuration section "CarePlan": where decision traces ask for the linked care plan and its reviews.</summary>
public sealed class CarePlanServiceOptions
{
    public const string Section = "CarePlan";

    public string Address { get; set; } = "http://127.0.0.1:5103";

    /// <summary>Longest a trace waits for the care-plan service before answering without the plan.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
