using System.Collections.Concurrent;
using SpasmPlatform.Fuzzing;
using SpasmPlatform.ServiceDefaults.Security;

namespace SpasmPlatform.IntegrationTests.Fuzz;

/// <summary>
/// The streams that writes answered OK may have appended to, read from their responses, per schema. A write RPC
/// without an entry here adds nothing to the list, so whatever it stored shows up as unaccounted.
/// </summary>
internal sealed class WriteAccounting(string assessmentSchema, string carePlanSchema, string knowledgeSchema)
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _touched = new();

    private volatile bool _erasures;

    public int OkWrites { get; private set; }

    public void OnOk(FuzzTarget target, IReadOnlyList<byte[]> responses)
    {
        foreach (var payload in responses)
        {
            switch (target.Path)
            {
                case "/spasm.assessment.v1.AssessmentService/SubmitAssessment":
                    AssessmentChanged(SpasmPlatform.Assessment.V1.SubmitAssessmentResponse.Parser.ParseFrom(payload).Assessment.AssessmentId);
                    break;
                case "/spasm.assessment.v1.AssessmentService/OverrideTriage":
                    AssessmentChanged(SpasmPlatform.Assessment.V1.Assessment.Parser.ParseFrom(payload).AssessmentId);
                    break;
                case "/spasm.careplan.v1.CarePlanService/ApproveCarePlan"
                    or "/spasm.careplan.v1.CarePlanService/AmendCarePlan"
                    or "/spasm.careplan.v1.CarePlanService/RejectCarePlan":
                    Touch(carePlanSchema, $"careplan-{SpasmPlatform.CarePlan.V1.CarePlan.Parser.ParseFrom(payload).AssessmentId}");
                    OkWrites++;
                    break;
                case "/spasm.assessment.v1.AssessmentService/EraseClinicalNotes":
                    // The erasure's stream is named by a hash of clinic and patient, which the response does not carry.
                    _erasures = true;
                    OkWrites++;
                    break;
                case "/spasm.knowledge.v1.KnowledgeService/PublishVersion":
                    Touch(knowledgeSchema, $"knowledge-{SpasmPlatform.Knowledge.V1.PublishVersionResponse.Parser.ParseFrom(payload).Version.Version}");
                    OkWrites++;
                    break;
            }
        }
    }

    /// <summary>
    /// Whether an OK answer accounts for this append. Reads of patient data are recorded in the access log whatever
    /// they answer (that is the point of it), so its day streams take AccessRecorded events and nothing else.
    /// </summary>
    public bool MayHaveAppended(string schema, string stream, string type) =>
        (AccessLog.TryParseDay(stream, out _) && type == AccessLog.EventType)
        || (_erasures && schema == assessmentSchema && stream.StartsWith("erasure-", StringComparison.Ordinal))
        || (_touched.TryGetValue(schema, out var streams) && streams.ContainsKey(stream));

    // A triage (new or overridden) is drafted into a care plan and linked back to the assessment, asynchronously.
    private void AssessmentChanged(string assessmentId)
    {
        Touch(assessmentSchema, $"assessment-{assessmentId}");
        Touch(carePlanSchema, $"careplan-{assessmentId}");
        OkWrites++;
    }

    private void Touch(string schema, string stream) => _touched.GetOrAdd(schema, _ => new()).TryAdd(stream, 0);
}
