using SpasmPlatform.Audit.V1;
using SpasmPlatform.Contracts.Calling;
using SpasmPlatform.Contracts.IntegrationEvents;
using SpasmPlatform.IntegrationTests.CarePlan;

namespace SpasmPlatform.IntegrationTests.Privacy;

/// <summary>
/// The broker does not order messages of different queues: an erasure can reach the care-plan service before a
/// triage of the notes it erases. The triage's notes are then never stored, while notes of a later generation are.
/// </summary>
public sealed class CarePlanErasureOrderTests(CarePlanPlatform platform) : IClassFixture<CarePlanPlatform>
{
    [Fact]
    public async Task An_erasure_that_overtakes_a_triage_keeps_its_notes_out_but_not_those_of_later_generations()
    {
        var clinic = $"clinic-order-{Guid.NewGuid():N}";
        var patient = $"patient-{Guid.NewGuid():N}";
        var marker = $"MARKER{Guid.NewGuid():N}";
        var erasure = new ClinicalNotesErased(Guid.NewGuid(), "corr-erasure", clinic, patient, 1, "dc-1", "patient request", DateTimeOffset.UtcNow);
        await platform.PublishAsync(erasure, erasure.MessageId);
        await platform.WaitHandledAsync(erasure.MessageId);

        var early = CarePlanPlatform.Sample("v01-lifting-strain", clinic);
        early.PatientRef = patient;
        early.ClinicalNotes = $"{marker} asks about acupuncture";
        var earlyDecided = CarePlanPlatform.Decided(early) with { ClinicalNotesGeneration = 1 };
        var later = early.Clone();
        later.ClinicalNotes = "later visit, asks about acupuncture";
        var laterDecided = CarePlanPlatform.Decided(later) with { ClinicalNotesGeneration = 2 };
        await platform.PublishAsync(earlyDecided, earlyDecided.MessageId);
        await platform.PublishAsync(laterDecided, laterDecided.MessageId);

        var earlyPlan = await platform.WaitForPlanAsync(earlyDecided.AssessmentId);
        var laterPlan = await platform.WaitForPlanAsync(laterDecided.AssessmentId);

        // Drafted without the erased notes: nothing in the plan comes from them, and they are nowhere in the schema.
        Assert.DoesNotContain(earlyPlan.Excluded, e => e.Reason.Contains("clinician's notes", StringComparison.Ordinal));
        Assert.Contains(laterPlan.Excluded, e => e.Code == "acupuncture" && e.Reason.Contains("clinician's notes", StringComparison.Ordinal));
        Assert.Empty(await SchemaScan.FindAsync(platform.Schema, marker));
        var audit = new AuditService.AuditServiceClient(platform.Channel);
        Assert.Equal(string.Empty, (await audit.GetDecisionTraceAsync(new GetDecisionTraceRequest { AssessmentId = earlyDecided.AssessmentId })).Submission.ClinicalNotes);
        var laterTrace = await audit.GetDecisionTraceAsync(new GetDecisionTraceRequest { AssessmentId = laterDecided.AssessmentId });
        Assert.Equal(("later visit, asks about acupuncture", false), (laterTrace.Submission.ClinicalNotes, laterTrace.ClinicalNotesErased));
    }
}
