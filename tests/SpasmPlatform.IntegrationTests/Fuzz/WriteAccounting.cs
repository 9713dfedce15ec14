using System.Collections.Concurrent;
using SpasmPlatform.Fuzzing;

namespace SpasmPlatform.IntegrationTests.Fuzz;

/// <summary>
/// The streams that writes answered OK may have appended to, read from their responses, per schema. A write RPC
/// without an entry here adds nothing to the list, so whatever it stored shows up as unaccounted.
/// </summary>
internal sealed class WriteAccounting(string assessmentSchema, string carePlanSchema, string knowledgeSchema)
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _touched = new();

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
                case "/spasm.knowledge.v1.KnowledgeService/PublishVersion":
                    Touch(knowledgeSchema, $"knowledge-{SpasmPlatform.Knowledge.V1.PublishVersionResponse.Parser.ParseFrom(payload).Version.Version}");
                    OkWrites++;
                    break;
            }
        }
    }

    public bool MayHaveAppended(string schema, string stream) =>
        _touched.TryGetValue(schema, out var streams) && streams.ContainsKey(stream);

    // A triage (new or overridden) is drafted into a care plan and linked back to the assessment, asynchronously.
    private void AssessmentChanged(string assessmentId)
    {
        Touch(assessmentSchema, $"assessment-{assessmentId}");
        Touch(carePlanSchema, $"careplan-{assessmentId}");
        OkWrites++;
    }

    private void Touch(string schema, string stream) => _touched.GetOrAdd(schema, _ => new()).TryAdd(stream, 0);
}
