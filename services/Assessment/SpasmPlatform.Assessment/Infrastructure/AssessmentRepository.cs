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
using SpasmPlatform.ServiceDefaults.Grpc;
using SpasmPlatform.Triage.Engine;

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
    SubmissionBatching batching,
    TimeProvider clock) : IAsyncDisposable
{
    private GroupCommit<Submission, SubmitOutcome>? _submissions;

    private GroupCommit<Submission, SubmitOutcome> Submissions =>
        LazyInitializer.EnsureInitialized(ref _submissions, () => new(CommitSubmissionsAsync, batching.MaxBatch, batching.Writers));

    /// <summary>
    /// Stores the submission and the engine's triage of it, once per (clinic_id, request_id). Submissions that arrive
    /// together are written in one transaction (see <see cref="GroupCommit{TItem,TResult}"/>); a retry, or a duplicate
    /// racing the first attempt, gets the stored result.
    /// </summary>
    public Task<SubmitOutcome> SubmitAsync(SubmitAssessmentRequest request, KnowledgeBase knowledge, string correlationId, CancellationToken cancellationToken)
    {
        // Triage here, on the caller's thread: the engine is pure, so submissions are decided in parallel and the
        // batch writer only writes.
        var assessmentId = AssessmentStream.DeriveAssessmentId(request.ClinicId, request.RequestId);
        var triage = AssessmentTelemetry.Decide(knowledge, request);
        // Microseconds: what PostgreSQL keeps, so the time in the response equals the time read back later.
        var now = clock.GetUtcNow();
        var submittedAt = now.AddTicks(-(now.Ticks % 10));
        return Submissions.RunAsync(new Submission(request, assessmentId, triage, knowledge.ContentHash, submittedAt, correlationId, AppendContext.Capture()), cancellationToken);
    }

    /// <summary>
    /// One transaction for a batch: the submissions whose stream exists (or that repeat one earlier in the batch) are
    /// answered from the stored result after the commit; the others are sealed, appended, projected and announced
    /// together. A stream created meanwhile by someone else fails the batch, and each is then retried alone, where the
    /// conflict becomes the duplicate answer.
    /// </summary>
    private async Task CommitSubmissionsAsync(IReadOnlyList<GroupCommit<Submission, SubmitOutcome>.Request> batch, CancellationToken cancellationToken)
    {
        var fresh = new List<GroupCommit<Submission, SubmitOutcome>.Request>(batch.Count);
        var duplicates = new List<GroupCommit<Submission, SubmitOutcome>.Request>();
        var states = new List<AssessmentMessage>(batch.Count);
        var startedAt = DateTimeOffset.UtcNow;
        using var batchSpan = AppendContext.StartBatch("submit batch", [.. batch.Select(r => r.Item.Context)]);
        try
        {
            await using var session = await store.OpenSessionAsync(cancellationToken);
            var stored = await ExistingStreamsAsync(session, batch, cancellationToken);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var request in batch)
            {
                (stored.Contains(request.Item.StreamId) || !seen.Add(request.Item.StreamId) ? duplicates : fresh).Add(request);
            }

            if (fresh.Count > 0)
            {
                var appends = new List<StreamAppend>(fresh.Count);
                var sealedNotes = new SealedNotes?[fresh.Count];
                for (var i = 0; i < fresh.Count; i++)
                {
                    var item = fresh[i].Item;
                    // In the append's transaction: a key made for a submission that loses the race is rolled back with it.
                    sealedNotes[i] = await vault.SealAsync(
                        session.Connection, session.Transaction, item.Request.ClinicId, item.Request.PatientRef, item.AssessmentId, item.Request.ClinicalNotes, cancellationToken);
                    appends.Add(new StreamAppend(item.StreamId, AssessmentStream.StreamType, ExpectedVersion.NoStream, Events(item, sealedNotes[i])));
                }

                var appended = await session.AppendManyAsync(appends, cancellationToken);
                for (var i = 0; i < fresh.Count; i++)
                {
                    var item = fresh[i].Item;
                    var messageId = Guid.CreateVersion7();
                    // The relay opens the notes just before sending (TriageDecidedNotesOpener), so the row keeps them sealed.
                    session.Publish(item.Context.Stamp(messageTypes.Create(
                        new Integration.TriageDecided(
                            messageId, item.CorrelationId, item.Request.ClinicId, item.AssessmentId, item.Request.PatientRef, item.Triage.Urgency, item.Triage.RuleSetVersion,
                            item.Triage.KnowledgeVersion, appended[i].NewVersion, appended[i].RecordedAt, ProtoJson.Format(item.WithoutNotes), ProtoJson.Format(item.Triage),
                            SealedClinicalNotes: sealedNotes[i]?.Format() ?? string.Empty, ClinicalNotesGeneration: sealedNotes[i]?.KeyGeneration ?? 0),
                        item.StreamId,
                        messageId: messageId)));
                    // The state the read model just stored, by the same fold, without reading it back.
                    var state = Fold(appends[i], appended[i]);
                    // The caller sent these notes a moment ago: no need to open what was just sealed.
                    AssessmentNotes.Apply(state, sealedNotes[i] is null ? NotesReading.None : new NotesReading(item.Request.ClinicalNotes, Erased: false));
                    states.Add(state);
                }
            }

            await session.CommitAsync(cancellationToken);
        }
        catch (ConcurrencyException) when (batch.Count == 1)
        {
            // Alone, a conflict means the same key was stored first by a concurrent call; its transaction has committed.
            duplicates.Add(batch[0]);
            fresh.Clear();
        }

        for (var i = 0; i < fresh.Count; i++)
        {
            // Each request's trace shows its append (the shared batch, from start to commit) under its own call.
            fresh[i].Item.Context.StartSpan($"append {AssessmentStream.StreamType}", startedAt, batch.Count)?.Dispose();
            fresh[i].Complete(new SubmitOutcome(states[i], Duplicate: false));
        }

        foreach (var duplicate in duplicates)
        {
            var first = await FindAsync(duplicate.Item.AssessmentId, cancellationToken);
            if (first is null)
            {
                duplicate.Fail(new InvalidOperationException($"{duplicate.Item.StreamId} exists but has no read-model row."));
            }
            else
            {
                duplicate.Complete(new SubmitOutcome(first, Duplicate: true));
            }
        }
    }

    private List<NewEvent> Events(Submission item, SealedNotes? sealedNotes)
    {
        var submittedId = Guid.CreateVersion7();
        var submitted = EventJson.ToNewEvent(
            storeOptions.Types,
            new AssessmentSubmitted(item.AssessmentId, item.Request.ClinicId, item.Request.RequestId, item.SubmittedAt, ProtoJson.ToElement(item.WithoutNotes), sealedNotes?.Format()),
            item.Context.Stamp(Metadata(item.CorrelationId, causationId: null, item.Request.ClinicianId, item.Request.ClinicId)),
            submittedId);
        var decided = EventJson.ToNewEvent(
            storeOptions.Types,
            new TriageDecided(item.AssessmentId, item.Triage.Urgency, item.Triage.RuleSetVersion, item.Triage.KnowledgeVersion, item.KnowledgeHash, ProtoJson.ToElement(item.Triage)),
            item.Context.Stamp(Metadata(item.CorrelationId, submittedId.ToString(), item.Request.ClinicianId, item.Request.ClinicId)),
            Guid.CreateVersion7());
        return [submitted, decided];
    }

    private static AssessmentMessage Fold(StreamAppend append, AppendResult appended)
    {
        AssessmentMessage? state = null;
        for (var i = 0; i < append.Events.Count; i++)
        {
            var e = append.Events[i];
            state = AssessmentState.Evolve(
                state,
                new StoredEvent(appended.Positions[i], append.StreamId, appended.NewVersion - append.Events.Count + 1 + i, e.EventId, e.EventType, e.Data, e.Metadata, appended.RecordedAt));
        }

        return state ?? throw new InvalidOperationException($"{append.StreamId} folds to nothing.");
    }

    private async Task<HashSet<string>> ExistingStreamsAsync(EventStoreSession session, IReadOnlyList<GroupCommit<Submission, SubmitOutcome>.Request> batch, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT id FROM {readModel.Schema}.mt_streams WHERE id = ANY($1)", session.Connection, session.Transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = batch.Select(r => r.Item.StreamId).ToArray() });
        var existing = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            existing.Add(reader.GetString(0));
        }

        return existing;
    }

    public async ValueTask DisposeAsync()
    {
        if (_submissions is not null)
        {
            await _submissions.DisposeAsync();
        }
    }

    public async Task<AssessmentMessage?> FindAsync(string assessmentId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await readModel.LoadAsync(connection, null, assessmentId, cancellationToken);
        return row is null ? null : await notes.RevealAsync(connection, null, row, cancellationToken);
    }

    /// <summary>
    /// A clinic's assessments, newest first, optionally of one urgency; keyset-paged after <paramref name="after"/>
    /// (submitted_at in microseconds since the epoch, then assessment_id).
    /// </summary>
    public async Task<ListAssessmentsResponse> ListAsync(ListAssessmentsRequest request, PagePosition? after, CancellationToken cancellationToken)
    {
        var size = request.PageSize == 0 ? FieldRules.DefaultPageSize : request.PageSize;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT assessment, sealed_clinical_notes FROM {readModel.Schema}.assessments
            WHERE clinic_id = $1
              AND ($2 = 0 OR urgency = $2)
              AND ($3::timestamptz IS NULL OR (submitted_at, assessment_id) < ($3::timestamptz, $4))
            ORDER BY submitted_at DESC, assessment_id DESC
            LIMIT $5
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = request.ClinicId });
        command.Parameters.Add(new NpgsqlParameter { Value = (int)request.Urgency });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = after is { } start ? DateTimeOffset.UnixEpoch.AddTicks(start.Number * 10) : DBNull.Value,
            NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz,
        });
        command.Parameters.Add(new NpgsqlParameter { Value = after?.Key ?? string.Empty });
        // One extra row says whether another page exists, without a count.
        command.Parameters.Add(new NpgsqlParameter { Value = size + 1 });

        var rows = new List<AssessmentRow>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(AssessmentReadModel.Row(reader));
            }
        }

        var page = await notes.RevealAsync(connection, null, rows, cancellationToken);

        var response = new ListAssessmentsResponse();
        response.Assessments.Add(page.Take(size));
        if (page.Count > size)
        {
            var last = page[size - 1];
            var micros = (last.SubmittedAt.ToDateTimeOffset() - DateTimeOffset.UnixEpoch).Ticks / 10;
            response.NextPageToken = PageToken.Issue(request, new PagePosition(micros, last.AssessmentId));
        }

        return response;
    }

    /// <summary>
    /// A clinician's override: the stream's state as Marten's FetchForWriting folds it (by <see cref="AssessmentState"/>),
    /// <see cref="AssessmentDecider.Override"/>'s decision on it, appended at
    /// <see cref="OverrideTriageRequest.ExpectedVersion"/> and announced in the same transaction. The decider refuses a
    /// version other than the one fetched; Marten refuses, at save, a stream another writer moved since the fetch. Both
    /// are <see cref="ConcurrencyException"/>, ABORTED at the edge.
    /// </summary>
    public async Task<AssessmentMessage> OverrideAsync(OverrideTriageRequest request, Func<string, CancellationToken, Task<KnowledgeBase>> pinnedKnowledge, string correlationId, CancellationToken cancellationToken)
    {
        var streamId = AssessmentStream.StreamId(request.AssessmentId);
        await using var session = await store.OpenSessionAsync(cancellationToken);
        var state = (await session.FetchForWritingAsync<AssessmentMessage>(streamId, cancellationToken)).State;
        // The decider does no I/O: the rule set the triage was decided with is fetched first (none for an unknown
        // assessment). Usually cached; the fetch above holds no lock, so a slow load blocks no other writer.
        var pinnedLevels = state?.Triage is { } decided
            ? (await pinnedKnowledge(decided.KnowledgeVersion, cancellationToken)).RuleSet.UrgencyLevels
            : [];
        var now = clock.GetUtcNow();
        // Microseconds: what PostgreSQL keeps, so the time in the response equals the time read back later.
        var at = now.AddTicks(-(now.Ticks % 10));
        var overridden = AssessmentDecider.Override(
            state, new OverrideTriage(request.AssessmentId, request.ExpectedVersion, request.Urgency, request.ClinicianId, request.Reason, at), pinnedLevels);
        var triage = state!.Triage; // the decider refused a missing state or triage

        var appended = await session.AppendAsync(
            streamId, AssessmentStream.StreamType, ExpectedVersion.Exactly(request.ExpectedVersion),
            [EventJson.ToNewEvent(storeOptions.Types, overridden, Metadata(correlationId, null, overridden.ClinicianId, state.ClinicId), Guid.CreateVersion7())],
            cancellationToken);
        var messageId = Guid.CreateVersion7();
        session.Publish(messageTypes.Create(
            new Integration.TriageOverridden(
                messageId, correlationId, state.ClinicId, overridden.AssessmentId, overridden.Urgency, triage.EngineUrgency, overridden.ClinicianId,
                overridden.Reason, triage.RuleSetVersion, triage.KnowledgeVersion, appended.NewVersion, overridden.At),
            streamId,
            messageId: messageId));
        var updated = await readModel.LoadAsync(session.Connection, session.Transaction, request.AssessmentId, cancellationToken)
            ?? throw new InvalidOperationException($"{streamId} has no read-model row.");
        var revealed = await notes.RevealAsync(session.Connection, session.Transaction, updated, cancellationToken);
        await session.CommitAsync(cancellationToken);
        return revealed;
    }

    /// <summary>
    /// Links a drafted care plan inside the caller's session (the inbox mark commits with it). False when there is
    /// nothing to do: the assessment is not ours, or the plan is already linked.
    /// </summary>
    public async Task<bool> LinkCarePlanAsync(EventStoreSession session, Integration.CarePlanDrafted drafted, Guid messageId, CancellationToken cancellationToken)
    {
        var current = (await readModel.LoadAsync(session.Connection, session.Transaction, drafted.AssessmentId, cancellationToken))?.Assessment;
        if (current is null || current.ClinicId != drafted.ClinicId || current.CarePlanId == drafted.CarePlanId)
        {
            return false;
        }

        var linked = new CarePlanLinked(drafted.AssessmentId, drafted.CarePlanId, drafted.Status, drafted.DraftedAt);
        await session.AppendAsync(
            AssessmentStream.StreamId(drafted.AssessmentId), AssessmentStream.StreamType, ExpectedVersion.Any,
            [EventJson.ToNewEvent(storeOptions.Types, linked, Metadata(drafted.CorrelationId, messageId.ToString(), "care-plan-service", drafted.ClinicId), Guid.CreateVersion7())],
            cancellationToken);
        return true;
    }

    /// <summary>A submission decided in its caller's flow, waiting for its batch.</summary>
    private sealed record Submission(
        SubmitAssessmentRequest Request, string AssessmentId, V1.Triage Triage, string KnowledgeHash, DateTimeOffset SubmittedAt, string CorrelationId, AppendContext Context)
    {
        public string StreamId { get; } = AssessmentStream.StreamId(AssessmentId);

        // The notes are stored sealed with the patient's key, never in clear: not in the event, the read model or the outbox.
        public SubmitAssessmentRequest WithoutNotes { get; } = WithNotesRemoved(Request);

        private static SubmitAssessmentRequest WithNotesRemoved(SubmitAssessmentRequest request)
        {
            var copy = request.Clone();
            copy.ClinicalNotes = string.Empty;
            return copy;
        }
    }

    private static EventMetadata Metadata(string correlationId, string? causationId, string actor, string tenant) =>
        new(CorrelationId: correlationId, CausationId: causationId, Actor: actor, TenantId: tenant);
}
