using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SpasmPlatform.CarePlan.Infrastructure;

/// <summary>The drafting span and the plans-drafted counter of the care-plan service.</summary>
internal static class CarePlanTelemetry
{
    public const string Name = "SpasmPlatform.CarePlan";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    private static readonly Counter<long> Drafted = Meter.CreateCounter<long>("spasm.careplan.drafted", "{plan}", "Care plans drafted, by status (counted at the append; a draft whose transaction rolls back is counted again on retry).");

    public static void RecordDrafted(string status) => Drafted.Add(1, new KeyValuePair<string, object?>("spasm.careplan.status", status));
}
