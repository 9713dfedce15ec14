using System.Diagnostics;
using System.Diagnostics.Metrics;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Knowledge.V1;
using SpasmPlatform.Triage.Engine;

namespace SpasmPlatform.Assessment.Infrastructure;

/// <summary>The triage engine's span and the decisions-by-urgency counter.</summary>
internal static class AssessmentTelemetry
{
    public const string Name = "SpasmPlatform.Assessment";

    private static readonly ActivitySource Source = new(Name);
    private static readonly Meter Meter = new(Name);

    private static readonly Counter<long> Decisions = Meter.CreateCounter<long>(
        "spasm.triage.decisions", "{decision}", "Triage decisions of the engine, by urgency (duplicates of a stored submission included).");

    /// <summary>Runs the engine under an internal span; the engine itself stays free of I/O and of telemetry.</summary>
    public static V1.Triage Decide(KnowledgeBase knowledge, SubmitAssessmentRequest request)
    {
        using var activity = Source.StartActivity("triage decide", ActivityKind.Internal);
        var triage = TriageEngine.For(knowledge).Decide(request);
        var urgency = triage.Urgency.ToString();
        if (activity is not null)
        {
            activity.SetTag("spasm.triage.urgency", urgency);
            activity.SetTag("spasm.triage.rule_set_version", triage.RuleSetVersion);
            activity.SetTag("spasm.triage.knowledge_version", triage.KnowledgeVersion);
            activity.SetTag("spasm.triage.decision_steps", triage.DecisionSteps.Count);
            activity.SetTag("spasm.triage.suspected_conditions", triage.SuspectedConditions.Count);
        }

        Decisions.Add(1, new KeyValuePair<string, object?>("spasm.triage.urgency", urgency));
        return triage;
    }
}
