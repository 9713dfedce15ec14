using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.Common.V1;
using Grpc.Core;
using SpasmPlatform.IntegrationTests.Audit;
using SpasmPlatform.IntegrationTests.Infrastructure;
using static SpasmPlatform.IntegrationTests.Privacy.PrivacyPlatformReads;
using StatusCode = Grpc.Core.StatusCode;

namespace SpasmPlatform.IntegrationTests.Privacy;

/// <summary>
/// Clinical notes on the whole platform (knowledge, assessment, care-plan processes on real PostgreSQL and RabbitMQ):
/// stored only sealed in either service's schema, opened for every reader, and erased for good by EraseClinicalNotes
/// in both services while decisions, plans, reviews and the hash chains stay as they were.
/// </summary>
public sealed class ClinicalNotesPrivacyTests(AuditPlatform platform) : IClassFixture<AuditPlatform>
{
    [Fact]
    public async Task Notes_are_stored_only_sealed_in_both_services_and_every_read_opens_them()
    {
        var clinic = $"clinic-sealed-{Guid.NewGuid():N}";
        var marker = $"MARKER{Guid.NewGuid():N}";
        var notes = $"{marker}: worse after lifting; patient asks about acupuncture.";
        var submission = Sample("v01-lifting-strain", clinic, $"patient-{Guid.NewGuid():N}", notes);

        var submitted = (await platform.Client.SubmitAssessmentAsync(submission)).Assessment;
        var id = submitted.AssessmentId;
        var plan = await PlanAsync(platform, id);
        await LinkedAsync(platform, id);
        await OutboxDrainedAsync(platform.Schema);
        await OutboxDrainedAsync(platform.CarePlanSchema);

        Assert.Equal((notes, false), (submitted.Submission.ClinicalNotes, submitted.ClinicalNotesErased));
        // The notes reached the drafter over the broker: it excluded what they suggest.
        Assert.Contains(plan.Excluded, e => e.Code == "acupuncture" && e.Reason.Contains("clinician's notes", StringComparison.Ordinal));

        // Nowhere in either schema in clear: events, read models, outbox (sent rows are kept), inbox, keys.
        Assert.Empty(await SchemaScan.FindAsync(platform.Schema, marker));
        Assert.Empty(await SchemaScan.FindAsync(platform.CarePlanSchema, marker));
        // The scan does see inside jsonb and the read model's protobuf bytes: the patient reference is there in clear.
        var patientColumns = await SchemaScan.FindAsync(platform.Schema, submission.PatientRef);
        Assert.Contains("mt_events.data", patientColumns);
        Assert.Contains("assessments.assessment", patientColumns);
        Assert.Contains("outbox.body", patientColumns);
        Assert.Contains("mt_events.data", await SchemaScan.FindAsync(platform.CarePlanSchema, submission.PatientRef));

        var read = await platform.Client.GetAssessmentAsync(new GetAssessmentRequest { AssessmentId = id });
        Assert.Equal((notes, false), (read.Submission.ClinicalNotes, read.ClinicalNotesErased));
        var listed = Assert.Single((await platform.Client.ListAssessmentsAsync(new ListAssessmentsRequest { ClinicId = clinic })).Assessments);
        Assert.Equal(notes, listed.Submission.ClinicalNotes);

        var trace = await platform.Audit.GetDecisionTraceAsync(new GetDecisionTraceRequest { AssessmentId = id });
        Assert.Equal((notes, false), (trace.Submission.ClinicalNotes, trace.ClinicalNotesErased));
        var submittedEvent = trace.Events[0];
        Assert.Equal(notes, submittedEvent.ClinicalNotes);
        Assert.DoesNotContain(marker, submittedEvent.DataJson, StringComparison.Ordinal);
        Assert.Contains("sealed_clinical_notes", submittedEvent.DataJson, StringComparison.Ordinal);
        var history = await HistoryAsync(platform.Audit, new StreamHistoryRequest { AssessmentId = id });
        Assert.Equal(notes, history[0].ClinicalNotes);
        Assert.All(history.Skip(1), e => Assert.Equal(string.Empty, e.ClinicalNotes));
        var state = await platform.Audit.GetStateAtAsync(new GetStateAtRequest { AssessmentId = id, Version = 1 });
        Assert.Equal(notes, state.Submission.ClinicalNotes);

        var carePlanTrace = await platform.CarePlanAudit.GetDecisionTraceAsync(new GetDecisionTraceRequest { AssessmentId = id });
        Assert.Equal((notes, false), (carePlanTrace.Submission.ClinicalNotes, carePlanTrace.ClinicalNotesErased));
        Assert.Equal(notes, carePlanTrace.CarePlanEvents[0].ClinicalNotes);
        Assert.DoesNotContain(marker, carePlanTrace.CarePlanEvents[0].DataJson, StringComparison.Ordinal);
        Assert.Equal(notes, (await platform.CarePlanAudit.GetStateAtAsync(new GetStateAtRequest { AssessmentId = id, Version = 1 })).Submission.ClinicalNotes);
        Assert.True((await platform.CarePlanAudit.ReplayDecisionAsync(new ReplayDecisionRequest { AssessmentId = id })).Reproduced);
    }

    [Fact]
    public async Task Erasure_makes_the_notes_unreadable_in_both_services_and_keeps_decisions_plans_reviews_and_chains()
    {
        var clinic = $"clinic-erase-{Guid.NewGuid():N}";
        var patient = $"patient-{Guid.NewGuid():N}";
        var neighbour = $"patient-{Guid.NewGuid():N}";
        var (markerA1, markerA2, markerB) = ($"MARKER{Guid.NewGuid():N}", $"MARKER{Guid.NewGuid():N}", $"MARKER{Guid.NewGuid():N}");
        var a1 = (await platform.Client.SubmitAssessmentAsync(Sample("v01-lifting-strain", clinic, patient, $"{markerA1} asks about acupuncture"))).Assessment;
        var a2 = (await platform.Client.SubmitAssessmentAsync(Sample("v02-medium-risk", clinic, patient, $"{markerA2} second visit"))).Assessment;
        var b1 = (await platform.Client.SubmitAssessmentAsync(Sample("v01-lifting-strain", clinic, neighbour, $"{markerB} someone else"))).Assessment;

        // A reviewed plan and an overridden (so redrafted) one, before the erasure.
        var plan1 = await PlanAsync(platform, a1.AssessmentId);
        var approved = await platform.CarePlans.ApproveCarePlanAsync(new ApproveCarePlanRequest
        {
            CarePlanId = plan1.CarePlanId, ExpectedVersion = plan1.Version, PhysiotherapistId = "physio-privacy", Note = "agreed",
        });
        await PlanAsync(platform, a2.AssessmentId);
        var linked2 = await LinkedAsync(platform, a2.AssessmentId);
        var overridden = await platform.Client.OverrideTriageAsync(new OverrideTriageRequest
        {
            AssessmentId = a2.AssessmentId, ExpectedVersion = linked2.Version, Urgency = Urgency.SameDay, ClinicianId = "dr-privacy", Reason = "seen in clinic",
        });
        var redraft = await PlanAsync(platform, a2.AssessmentId, p => p.SupersedesCarePlanId.Length > 0);
        await PlanAsync(platform, b1.AssessmentId);
        var before1 = await LinkedAsync(platform, a1.AssessmentId);
        var traceBefore = await platform.Audit.GetDecisionTraceAsync(new GetDecisionTraceRequest { AssessmentId = a1.AssessmentId });
        Assert.Equal($"{markerA2} second visit", (await platform.CarePlanAudit.GetDecisionTraceAsync(new GetDecisionTraceRequest { AssessmentId = a2.AssessmentId })).Submission.ClinicalNotes);

        var erased = await platform.Client.EraseClinicalNotesAsync(new EraseClinicalNotesRequest
        {
            ClinicId = clinic, PatientRef = patient, RequestedBy = "dc-1", Reason = "the patient asked for erasure",
        });

        Assert.Equal((false, 2, 1, "dc-1"), (erased.AlreadyErased, erased.Assessments, erased.KeysDestroyed, erased.ErasedBy));

        // Assessment service: notes gone, flagged; everything decided stays exactly as it was.
        var after1 = await platform.Client.GetAssessmentAsync(new GetAssessmentRequest { AssessmentId = a1.AssessmentId });
        Assert.Equal((string.Empty, true), (after1.Submission.ClinicalNotes, after1.ClinicalNotesErased));
        Assert.Equal((before1.Triage, before1.CarePlanId, before1.Version), (after1.Triage, after1.CarePlanId, after1.Version));
        var after2 = await platform.Client.GetAssessmentAsync(new GetAssessmentRequest { AssessmentId = a2.AssessmentId });
        Assert.Equal((string.Empty, true), (after2.Submission.ClinicalNotes, after2.ClinicalNotesErased));
        Assert.Equal(overridden.Triage, after2.Triage);
        var neighbourRead = await platform.Client.GetAssessmentAsync(new GetAssessmentRequest { AssessmentId = b1.AssessmentId });
        Assert.Equal(($"{markerB} someone else", false), (neighbourRead.Submission.ClinicalNotes, neighbourRead.ClinicalNotesErased));
        var listed = (await platform.Client.ListAssessmentsAsync(new ListAssessmentsRequest { ClinicId = clinic })).Assessments.ToDictionary(a => a.AssessmentId);
        Assert.Equal([true, true, false], new[] { a1, a2, b1 }.Select(a => listed[a.AssessmentId].ClinicalNotesErased));

        var trace = await platform.Audit.GetDecisionTraceAsync(new GetDecisionTraceRequest { AssessmentId = a1.AssessmentId });
        Assert.Equal((string.Empty, true), (trace.Submission.ClinicalNotes, trace.ClinicalNotesErased));
        Assert.Equal(traceBefore.Triage, trace.Triage);
        Assert.Equal(traceBefore.Events.Select(e => (e.Hash, e.DataJson)), trace.Events.Select(e => (e.Hash, e.DataJson)));
        Assert.True(trace.Events[0].ClinicalNotesErased);
        Assert.True((await platform.Audit.GetStateAtAsync(new GetStateAtRequest { AssessmentId = a1.AssessmentId, Version = 1 })).ClinicalNotesErased);
        var replay = await platform.Audit.ReplayDecisionAsync(new ReplayDecisionRequest { AssessmentId = a1.AssessmentId });
        Assert.True(replay.Reproduced, string.Join("; ", replay.Differences));
        var integrity = await platform.Audit.VerifyIntegrityAsync(new VerifyIntegrityRequest());
        Assert.True(integrity.Intact, string.Join("; ", integrity.Breaks.Select(b => $"{b.StreamId} v{b.Version}: {b.Reason}")));

        // The erasure is on record (who, why, which assessments), without any note.
        var everything = await HistoryAsync(platform.Audit, new StreamHistoryRequest());
        var record = Assert.Single(everything, e => e.EventType == "privacy.clinical_notes_erased" && e.DataJson.Contains(patient, StringComparison.Ordinal));
        Assert.Equal((erased.ErasureId, "dc-1", clinic), (record.EventId, record.Actor, record.TenantId));
        Assert.Contains("the patient asked for erasure", record.DataJson, StringComparison.Ordinal);
        Assert.Contains(a2.AssessmentId, record.DataJson, StringComparison.Ordinal);

        // Care-plan service: its own keys destroyed through the broker; plans, the review and the redraft stay.
        await Eventually.WaitAsync(
            async () => (await platform.CarePlanAudit.GetDecisionTraceAsync(new GetDecisionTraceRequest { AssessmentId = a1.AssessmentId })).ClinicalNotesErased,
            TimeSpan.FromSeconds(60), $"the care-plan service to erase; its output:\n{platform.CarePlanService.Output}");
        var carePlanTrace2 = await platform.CarePlanAudit.GetDecisionTraceAsync(new GetDecisionTraceRequest { AssessmentId = a2.AssessmentId });
        Assert.Equal((string.Empty, true), (carePlanTrace2.Submission.ClinicalNotes, carePlanTrace2.ClinicalNotesErased));
        Assert.Equal(2, carePlanTrace2.CarePlans.Count);
        Assert.All(carePlanTrace2.CarePlanEvents.Where(e => e.EventType == "care_plan.drafted"), e => Assert.True(e.ClinicalNotesErased));
        Assert.True((await platform.CarePlanAudit.GetStateAtAsync(new GetStateAtRequest { AssessmentId = a2.AssessmentId, Version = 1 })).ClinicalNotesErased);
        Assert.Equal(approved, await platform.CarePlans.GetCarePlanAsync(new GetCarePlanRequest { CarePlanId = plan1.CarePlanId }));
        Assert.Equal(redraft, await platform.CarePlans.GetCarePlanAsync(new GetCarePlanRequest { CarePlanId = redraft.CarePlanId }));
        var carePlanTrace1 = await platform.CarePlanAudit.GetDecisionTraceAsync(new GetDecisionTraceRequest { AssessmentId = a1.AssessmentId });
        Assert.Contains(carePlanTrace1.Reviews, r => r.Action == "approved" && r.Actor == "physio-privacy");
        var carePlanIntegrity = await platform.CarePlanAudit.VerifyIntegrityAsync(new VerifyIntegrityRequest());
        Assert.True(carePlanIntegrity.Intact, string.Join("; ", carePlanIntegrity.Breaks.Select(b => $"{b.StreamId} v{b.Version}: {b.Reason}")));
        var neighbourPlanTrace = await platform.CarePlanAudit.GetDecisionTraceAsync(new GetDecisionTraceRequest { AssessmentId = b1.AssessmentId });
        Assert.Equal(($"{markerB} someone else", false), (neighbourPlanTrace.Submission.ClinicalNotes, neighbourPlanTrace.ClinicalNotesErased));
        Assert.Equal(0L, await ScalarAsync($"SELECT count(*) FROM {platform.CarePlanSchema}.patient_keys WHERE patient_ref = $1 AND wrapped_key IS NOT NULL", patient));
        Assert.Equal(0L, await ScalarAsync($"SELECT count(*) FROM {platform.Schema}.patient_keys WHERE patient_ref = $1 AND wrapped_key IS NOT NULL", patient));
        Assert.Equal(1L, await ScalarAsync($"SELECT count(*) FROM {platform.CarePlanSchema}.patient_keys WHERE patient_ref = $1 AND wrapped_key IS NOT NULL", neighbour));
        foreach (var marker in new[] { markerA1, markerA2, markerB })
        {
            Assert.Empty(await SchemaScan.FindAsync(platform.Schema, marker));
            Assert.Empty(await SchemaScan.FindAsync(platform.CarePlanSchema, marker));
        }

        // Idempotent: nothing is left, so nothing new is recorded and the first erasure is reported.
        var again = await platform.Client.EraseClinicalNotesAsync(new EraseClinicalNotesRequest
        {
            ClinicId = clinic, PatientRef = patient, RequestedBy = "dc-2", Reason = "asked twice",
        });
        Assert.Equal((true, erased.ErasureId, erased.ErasedAt, "dc-1", 2, 0), (again.AlreadyErased, again.ErasureId, again.ErasedAt, again.ErasedBy, again.Assessments, again.KeysDestroyed));
        Assert.Equal(1L, await ScalarAsync($"SELECT count(*) FROM {platform.Schema}.mt_events WHERE type = 'privacy.clinical_notes_erased' AND data->>'patient_ref' = $1", patient));
    }

    [Fact]
    public async Task Notes_taken_after_an_erasure_are_readable_until_the_next_erasure_and_the_cli_erases_too()
    {
        var clinic = $"clinic-later-{Guid.NewGuid():N}";
        var patient = $"patient-{Guid.NewGuid():N}";
        var first = (await platform.Client.SubmitAssessmentAsync(Sample("v01-lifting-strain", clinic, patient, "first episode"))).Assessment;
        await PlanAsync(platform, first.AssessmentId);
        var address = platform.Service.Address.ToString();

        var (code, output, error) = await SpasmCli.RunAsync(
            "assessment", "erase-notes", "--address", address, "--clinic", clinic, "--patient", patient, "--by", "dc-cli", "--reason", "patient request");
        Assert.True(code == 0, error);
        Assert.StartsWith("Erased:", output, StringComparison.Ordinal);
        Assert.Contains("1 key(s) destroyed", output, StringComparison.Ordinal);

        var later = (await platform.Client.SubmitAssessmentAsync(Sample("v01-lifting-strain", clinic, patient, "second episode, new notes"))).Assessment;
        Assert.Equal(("second episode, new notes", false), (later.Submission.ClinicalNotes, later.ClinicalNotesErased));
        Assert.True((await platform.Client.GetAssessmentAsync(new GetAssessmentRequest { AssessmentId = first.AssessmentId })).ClinicalNotesErased);
        Assert.Equal("second episode, new notes", (await platform.Client.GetAssessmentAsync(new GetAssessmentRequest { AssessmentId = later.AssessmentId })).Submission.ClinicalNotes);
        // The care-plan service keeps the new notes (a later key generation than the one erased there).
        await PlanAsync(platform, later.AssessmentId);
        await Eventually.WaitAsync(
            async () => (await platform.CarePlanAudit.GetDecisionTraceAsync(new GetDecisionTraceRequest { AssessmentId = first.AssessmentId })).ClinicalNotesErased,
            TimeSpan.FromSeconds(60), "the care-plan service to erase the first notes");
        var laterPlanTrace = await platform.CarePlanAudit.GetDecisionTraceAsync(new GetDecisionTraceRequest { AssessmentId = later.AssessmentId });
        Assert.Equal(("second episode, new notes", false), (laterPlanTrace.Submission.ClinicalNotes, laterPlanTrace.ClinicalNotesErased));

        var (againCode, againOutput, _) = await SpasmCli.RunAsync(
            "assessment", "erase-notes", "--address", address, "--clinic", clinic, "--patient", patient, "--by", "dc-cli", "--reason", "patient request", "--json");
        Assert.Equal(0, againCode);
        var second = Google.Protobuf.JsonParser.Default.Parse<EraseClinicalNotesResponse>(againOutput);
        Assert.Equal((false, 2, 1), (second.AlreadyErased, second.Assessments, second.KeysDestroyed));
        Assert.True((await platform.Client.GetAssessmentAsync(new GetAssessmentRequest { AssessmentId = later.AssessmentId })).ClinicalNotesErased);
        await Eventually.WaitAsync(
            async () => (await platform.CarePlanAudit.GetDecisionTraceAsync(new GetDecisionTraceRequest { AssessmentId = later.AssessmentId })).ClinicalNotesErased,
            TimeSpan.FromSeconds(60), "the care-plan service to erase the later notes");

        var (thirdCode, thirdOutput, _) = await SpasmCli.RunAsync(
            "assessment", "erase-notes", "--address", address, "--clinic", clinic, "--patient", patient, "--by", "dc-cli", "--reason", "patient request");
        Assert.Equal(0, thirdCode);
        Assert.StartsWith("Already erased", thirdOutput, StringComparison.Ordinal);
        Assert.Contains("Notes:        (erased", (await SpasmCli.RunAsync("assessment", "get", "--address", address, first.AssessmentId)).Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_erasure_requests_are_refused_and_change_nothing()
    {
        var clinic = $"clinic-refuse-{Guid.NewGuid():N}";
        var patient = $"patient-{Guid.NewGuid():N}";
        var kept = (await platform.Client.SubmitAssessmentAsync(Sample("v01-lifting-strain", clinic, patient, "notes that stay"))).Assessment;

        var invalid = await Assert.ThrowsAsync<RpcException>(() => platform.Client.EraseClinicalNotesAsync(new EraseClinicalNotesRequest { Reason = "  " }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Equal(
            ["clinic_id", "patient_ref", "requested_by", "reason"],
            invalid.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>()!.FieldViolations.Select(v => v.Field));

        var unknownPatient = await Assert.ThrowsAsync<RpcException>(() => platform.Client.EraseClinicalNotesAsync(new EraseClinicalNotesRequest
        {
            ClinicId = clinic, PatientRef = "patient-never-seen", RequestedBy = "dc-1", Reason = "r",
        }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknownPatient.StatusCode);

        // A clinic erases only its own patients' notes.
        var otherClinic = await Assert.ThrowsAsync<RpcException>(() => platform.Client.EraseClinicalNotesAsync(new EraseClinicalNotesRequest
        {
            ClinicId = $"clinic-other-{Guid.NewGuid():N}", PatientRef = patient, RequestedBy = "dc-1", Reason = "r",
        }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, otherClinic.StatusCode);

        var read = await platform.Client.GetAssessmentAsync(new GetAssessmentRequest { AssessmentId = kept.AssessmentId });
        Assert.Equal(("notes that stay", false), (read.Submission.ClinicalNotes, read.ClinicalNotesErased));
        Assert.Equal(0L, await ScalarAsync($"SELECT count(*) FROM {platform.Schema}.mt_events WHERE type = 'privacy.clinical_notes_erased' AND data->>'patient_ref' = $1", patient));
    }
}
