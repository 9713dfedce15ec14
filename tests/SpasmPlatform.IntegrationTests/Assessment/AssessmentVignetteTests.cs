using Google.Protobuf;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Common.V1;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.Assessment;

/// <summary>
/// The eleven guidance vignettes (clinical-guidance.md section 6; samples/assessments/*.json) end to end: through
/// gRPC into the assessment service, triaged with the rule set the knowledge service serves, stored and read back.
/// </summary>
public sealed class AssessmentVignetteTests(AssessmentHost host) : IClassFixture<AssessmentHost>
{
    public static TheoryData<string, Urgency, string[]> Vignettes => new()
    {
        { "v01-lifting-strain", Urgency.SelfCare, [] },
        { "v02-medium-risk", Urgency.Routine, [] },
        { "v03-high-risk", Urgency.Routine, [] },
        { "v04-cauda-equina", Urgency.Emergency, ["cauda_equina_syndrome"] },
        { "v05-mscc", Urgency.Emergency, ["metastatic_spinal_cord_compression"] },
        { "v05b-cancer-spinal-pain", Urgency.Within24Hours, ["metastatic_spinal_cord_compression"] },
        { "v06-spinal-infection", Urgency.SameDay, ["spinal_infection"] },
        { "v07-aaa", Urgency.Emergency, ["abdominal_aortic_aneurysm"] },
        { "v08-fragility-fracture", Urgency.Within2Weeks, ["vertebral_fracture"] },
        { "v09-axial-spa", Urgency.Routine, ["axial_spondyloarthritis"] },
        { "v10-sedatives-sciatica", Urgency.SelfCare, [] },
        { "v11-possible-malignancy", Urgency.Within2Weeks, ["spinal_malignancy"] },
        { "r03-diabetes-alone", Urgency.Within24Hours, ["spinal_infection"] },
        { "r09-aaa-risk-profile", Urgency.Routine, ["abdominal_aortic_aneurysm"] },
    };

    [Theory]
    [MemberData(nameof(Vignettes))]
    public async Task Vignette_is_triaged_as_guidance_expects_and_stored(string name, Urgency urgency, string[] firstConditions)
    {
        var submission = JsonParser.Default.Parse<SubmitAssessmentRequest>(File.ReadAllText(Path.Combine(Platform.RepoRoot, "samples", "assessments", $"{name}.json")));
        submission.RequestId = $"{name}-{Guid.NewGuid():N}";

        var response = await host.Client.SubmitAssessmentAsync(submission);
        var triage = response.Assessment.Triage;

        Assert.False(response.Duplicate);
        Assert.Equal(urgency, triage.Urgency);
        Assert.Equal(urgency, triage.EngineUrgency);
        Assert.Equal(firstConditions, triage.SuspectedConditions.Take(firstConditions.Length).Select(c => c.Code));
        Assert.All(triage.SuspectedConditions, c => Assert.NotEmpty(c.Findings));
        Assert.NotEmpty(triage.DecisionSteps);
        Assert.NotEmpty(triage.SafetyNetAdvice);
        Assert.False(string.IsNullOrEmpty(triage.RuleSetVersion));
        Assert.Equal(KnowledgeContentVersion(), triage.KnowledgeVersion);
        Assert.Equal(submission, response.Assessment.Submission);

        var stored = await host.Client.GetAssessmentAsync(new GetAssessmentRequest { AssessmentId = response.Assessment.AssessmentId });
        Assert.Equal(response.Assessment, stored);
    }

    private static string KnowledgeContentVersion() => Knowledge.KnowledgeContent.BundledVersion;
}
