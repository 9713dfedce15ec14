using Npgsql;
using SpasmPlatform.Assessment.Domain;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Common.V1;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Outbox;
using SpasmPlatform.EventStore.Serialization;
using SpasmPlatform.EventStore.Streams;
using SpasmPlatform.Knowledge.V1;
using SpasmPlatform.Privacy;
using SpasmPlatform.Triage.Engine;
using AssessmentMessage = SpasmPlatform.Assessment.V1.Assessment;
using Integration = SpasmPlatform.Contracts.IntegrationEvents;

namespace SpasmPlatform.Assessment.Infrastructure;

/// <summary>
/// Assessment streams: every change is events appended in one transaction with the read-model row and the outbox
/// message announcing it; reads come from the read model.
/// </summary>
internal sealed class AssessmentRepository(
    MartenEventStore store,
    NpgsqlDataSource dataSource,
    AssessmentReadModel readModel,
    EventStoreOptions storeOptions,
    IntegrationMessageTypes messageTypes,
    ClinicalNotesVault vault,
    AssessmentNotes notes,
    TimeProvider clock)
{
    public const int DefaultPageSize = 50;

    /// <summary>
    /// Stores the submission and the engine's triage of it, once per (clinic_id, request_id). A retry, or a
    /// duplicate racing the first attempt, loses the store's "no stream yet" check and gets the stored result.
    /// </summary>
    public async Task<SubmitOutcome> SubmitAsync(SubmitAssessmentRequest request, KnowledgeBase knowledge, string correlationId, CancellationToken cancellationToken)
    {
        // No lookup first: the append's "no stream yet" check is the duplicate test, and a retry costs one triage
        // (microseconds) where a lookup would cost every first submission a round trip.
        var assessmentId = AssessmentStream.DeriveAssessmentId(request.ClinicId, request.RequestId);
        var triage = AssessmentTelemetry.Decide(knowledge, request);
        // Microseconds: what PostgreSQL keeps, so the time in the response equals the time read back later.
        var now = clock.GetUtcNow();
        var submittedAt = now.AddTicks(-(now.Ticks % 10));
        var streamId = AssessmentStream.StreamId(assessmentId);
        // The notes are stored sealed with the patient's key, never in clear: not in the event, the read model or the outbox.
        var withoutNotes = request.Clone();
        withoutNotes.ClinicalNotes = string.Empty;

        try
        {
            await using var session = await store.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
            // In the append's transaction: a key made for a submission that loses the race is rolled back with it.
            var sealedNotes = await vault.SealAsync(
                session.Connection, session.Transaction, request.ClinicId, request.PatientRef, assessmentId, request.ClinicalNotes, cancellationToken).ConfigureAwait(false);
            var submittedId = Guid.CreateVersion7();
            var submitted = EventJson.ToNewEvent(
                storeOptions.Types,
                new AssessmentSubmitted(assessmentId, request.ClinicId, request.RequestId, submittedAt, ProtoJson.ToElement(withoutNotes), sealedNotes?.Format()),
                Metadata(correlationId, causationId: null, request.ClinicianId, request.ClinicId),
                submittedId);
            var decided = EventJson.ToNewEvent(
                storeOptions.Types,
                new TriageDecided(assessmentId, triage.Urgency, triage.RuleSetVersion, triage.KnowledgeVersion, knowledge.ContentHash, ProtoJson.ToElement(triage)),
                Metadata(correlationId, submittedId.ToString(), request.ClinicianId, request.ClinicId),
                Guid.CreateVersion7());
            var appended = await session.AppendAsync(streamId, AssessmentStream.StreamType, ExpectedVersion.NoStream, [submitted, decided], cancellationToken).ConfigureAwait(false);
            var messageId = Guid.CreateVersion7();
            // The relay opens the notes just before sending (TriageDecidedNotesOpener), so the row keeps them sealed.
            session.Publish(messageTypes.Create(
                new Integration.TriageDecided(
                    messageId, correlationId, request.ClinicId, assessmentId, request.PatientRef, triage.Urgency, triage.RuleSetVersion,
                    triage.KnowledgeVersion, appended.NewVersion, appended.RecordedAt, ProtoJson.Format(withoutNotes), ProtoJson.Format(triage),
                    SealedClinicalNotes: sealedNotes?.Format() ?? string.Empty, ClinicalNotesGeneration: sealedNotes?.KeyGeneration ?? 0),
                streamId,
                messageId: messageId));
            var stored = await readModel.LoadAsync(session.Connection, session.Transaction, assessmentId, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"{streamId} was appended but has no read-model row.");
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            // The caller sent these notes a moment ago: no need to open what was just sealed.
            AssessmentNotes.Apply(stored.Assessment, sealedNotes is null ? NotesReading.None : new NotesReading(request.ClinicalNotes, Erased: false));
            return new SubmitOutcome(stored.Assessment, Duplicate: false);
        }
        catch (ConcurrencyException)
        {
            // The same key was stored first by a concurrent call; its transaction has committed by now.
            var first = await FindAsync(assessmentId, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"{streamId} exists but has no read-model row.");
            return new SubmitOutcome(first, Duplicate: true);
        }
    }

    public async Task<AssessmentMessage?> FindAsync(string assessmentId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var row = await readModel.LoadAsync(connection, null, assessmentId, cancellationToken).ConfigureAwait(false);
        return row is null ? null : await notes.RevealAsync(connection, null, row, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A clinic's assessments, newest first, optionally of one urgency; keyset-paged after <paramref name="after"/>.</summary>
    public async Task<ListAssessmentsResponse> ListAsync(string clinicId, Urgency urgency, int pageSize, PageToken? after, CancellationToken cancellationToken)
    {
        var size = pageSize == 0 ? DefaultPageSize : pageSize;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT assessment, sealed_clinical_notes FROM {readModel.Schema}.assessments
            WHERE clinic_id = $1
              AND ($2 = 0 OR urgency = $2)
              AND ($3::timestamptz IS NULL OR (submitted_at, assessment_id) < ($3::timestamptz, $4))
            ORDER BY submitted_at DESC, assessment_id DESC
            LIMIT $5
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = clinicId });
        command.Parameters.Add(new NpgsqlParameter { Value = (int)urgency });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = after is null ? DBNull.Value : DateTimeOffset.UnixEpoch.AddTicks(after.AfterSubmittedAtMicros * 10),
            NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz,
        });
        command.Parameters.Add(new NpgsqlParameter { Value = after?.AfterAssessmentId ?? string.Empty });
        // One extra row says whether another page exists, without a count.
        command.Parameters.Add(new NpgsqlParameter { Value = size + 1 });

        var rows = new List<AssessmentRow>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(AssessmentReadModel.Row(reader));
            }
        }

        var page = await notes.RevealAsync(connection, null, rows, cancellationToken).ConfigureAwait(false);

        var response = new ListAssessmentsResponse();
        response.Assessments.Add(page.Take(size));
        if (page.Count > size)
        {
            var last = page[size - 1];
            var micros = (last.SubmittedAt.ToDateTimeOffset() - DateTimeOffset.UnixEpoch).Ticks / 10;
            response.NextPageToken = new PageToken(clinicId, urgency, micros, last.AssessmentId).Encode();
        }

        return response;
    }

    /// <summary>
    /// Replaces the current urgency with the clinician's, if the stream is still at <see cref="OverrideTriageRequest.ExpectedVersion"/>;
    /// otherwise the append throws <see cref="ConcurrencyException"/> (ABORTED at the edge).
    /// </summary>
    public async Task<AssessmentMessage> OverrideAsync(OverrideTriageRequest request, Func<string, CancellationToken, Task<KnowledgeBase>> pinnedKnowledge, string correlationId, CancellationToken cancellationToken)
    {
        var current = await FindAsync(request.AssessmentId, cancellationToken).ConfigureAwait(false)
            ?? throw new AssessmentNotFoundException(request.AssessmentId);
        var triage = current.Triage ?? throw new InvalidOperationException($"Assessment {request.AssessmentId} has no triage to override.");

        // The SLA and wording of the new urgency come from the rules the decision was made with, not today's.
        var knowledge = await pinnedKnowledge(triage.KnowledgeVersion, cancellationToken).ConfigureAwait(false);
        var level = knowledge.RuleSet.UrgencyLevels.FirstOrDefault(l => l.Urgency == request.Urgency);
        var at = clock.GetUtcNow();
        at = at.AddTicks(-(at.Ticks % 10));
        var overridden = new TriageOverridden(
            request.AssessmentId, request.Urgency, triage.Urgency, level?.ActWithinMinutes ?? -1, level?.Disposition ?? string.Empty,
            request.ClinicianId, request.Reason, at);
        var streamId = AssessmentStream.StreamId(request.AssessmentId);

        await using var session = await store.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var appended = await session.AppendAsync(
            streamId, AssessmentStream.StreamType, ExpectedVersion.Exactly(request.ExpectedVersion),
            [EventJson.ToNewEvent(storeOptions.Types, overridden, Metadata(correlationId, null, request.ClinicianId, current.ClinicId), Guid.CreateVersion7())],
            cancellationToken).ConfigureAwait(false);
        var messageId = Guid.CreateVersion7();
        session.Publish(messageTypes.Create(
            new Integration.TriageOverridden(
                messageId, correlationId, current.ClinicId, request.AssessmentId, request.Urgency, triage.EngineUrgency, request.ClinicianId,
                request.Reason, triage.RuleSetVersion, triage.KnowledgeVersion, appended.NewVersion, at),
            streamId,
            messageId: messageId));
        var updated = await readModel.LoadAsync(session.Connection, session.Transaction, request.AssessmentId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"{streamId} has no read-model row.");
        var revealed = await notes.RevealAsync(session.Connection, session.Transaction, updated, cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        return revealed;
    }

    /// <summary>
    /// Links a drafted care plan inside the caller's session (the inbox mark commits with it). False when there is
    /// nothing to do: the assessment is not ours, or the plan is already linked.
    /// </summary>
    public async Task<bool> LinkCarePlanAsync(EventStoreSession session, Integration.CarePlanDrafted drafted, Guid messageId, CancellationToken cancellationToken)
    {
        var current = (await readModel.LoadAsync(session.Connection, session.Transaction, drafted.AssessmentId, cancellationToken).ConfigureAwait(false))?.Assessment;
        if (current is null || current.ClinicId != drafted.ClinicId || current.CarePlanId == drafted.CarePlanId)
        {
            return false;
        }

        var linked = new CarePlanLinked(drafted.AssessmentId, drafted.CarePlanId, drafted.Status, drafted.DraftedAt);
        await session.AppendAsync(
            AssessmentStream.StreamId(drafted.AssessmentId), AssessmentStream.StreamType, ExpectedVersion.Any,
            [EventJson.ToNewEvent(storeOptions.Types, linked, Metadata(drafted.CorrelationId, messageId.ToString(), "care-plan-service", drafted.ClinicId), Guid.CreateVersion7())],
            cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static EventMetadata Metadata(string correlationId, string? causationId, string actor, string tenant) =>
        new(CorrelationId: correlationId, CausationId: causationId, Actor: actor, TenantId: tenant);
}
