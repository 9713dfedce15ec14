using Google.Protobuf.WellKnownTypes;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Integrity;
using SpasmPlatform.EventStore.Streams;
using Grpc.Core;
using SpasmPlatform.Privacy;
using IntegrityBreak = SpasmPlatform.Audit.V1.IntegrityBreak;

namespace SpasmPlatform.Audit;

/// <summary>
/// The store-generic half of AuditService: history and integrity of a service's own streams. Only reads; each
/// service supplies how an assessment id names its stream.
/// </summary>
public sealed class AuditStore(
    MartenEventStore store, IntegrityVerifier verifier, AccessLogQuery accessLog, Func<string, string> streamOfAssessment, IEventNotesReader? notes = null)
{
    public AccessLogQuery AccessLog => accessLog;

    /// <summary>Events per database round trip: enough to keep the client busy, little enough to hold in memory.</summary>
    public const int PageSize = 500;

    public MartenEventStore Store => store;

    public string StreamOf(string assessmentId) => streamOfAssessment(assessmentId);

    /// <summary>
    /// Writes the requested history page by page, so memory stays at one page however long the history is. Stops as
    /// soon as the call's token fires (deadline or client cancellation); the gRPC layer reports which.
    /// </summary>
    public async Task StreamHistoryAsync(StreamHistoryRequest request, IServerStreamWriter<HistoryEvent> writer, CancellationToken cancellationToken)
    {
        var streamId = StreamIdOf(request.StreamId, request.AssessmentId);
        if (streamId is not null)
        {
            await RequireStreamAsync(streamId, cancellationToken).ConfigureAwait(false);
        }

        var remaining = request.Limit == 0 ? long.MaxValue : request.Limit;
        var nextVersion = Math.Max(1, request.FromVersion);
        var afterPosition = Math.Max(0, request.FromGlobalPosition - 1);
        while (remaining > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var size = (int)Math.Min(PageSize, remaining);
            var page = streamId is null
                ? await store.ReadAllChainAsync(afterPosition, size, cancellationToken).ConfigureAwait(false)
                : await store.ReadStreamChainAsync(streamId, nextVersion, size, cancellationToken).ConfigureAwait(false);
            foreach (var history in await ToHistoryAsync(page, cancellationToken).ConfigureAwait(false))
            {
                await writer.WriteAsync(history, cancellationToken).ConfigureAwait(false);
            }

            if (page.Count < size)
            {
                return;
            }

            remaining -= page.Count;
            nextVersion = page[^1].Event.StreamVersion + 1;
            afterPosition = page[^1].Event.GlobalPosition;
        }
    }

    /// <summary>
    /// A whole stream with its hash links, for traces and replays: one read serves both the fold and the timeline.
    /// Streams of one assessment are short; paged anyway so an unusual one cannot ask for everything at once.
    /// </summary>
    public async Task<IReadOnlyList<ChainedEvent>> ReadChainAsync(string streamId, CancellationToken cancellationToken)
    {
        var events = new List<ChainedEvent>();
        long next = 1;
        while (true)
        {
            var page = await store.ReadStreamChainAsync(streamId, next, PageSize, cancellationToken).ConfigureAwait(false);
            events.AddRange(page);
            if (page.Count < PageSize)
            {
                return events;
            }

            next = page[^1].Event.StreamVersion + 1;
        }
    }

    /// <summary>
    /// The events of an assessment's stream up to a version or a moment, for time travel; refuses points outside the
    /// stream's life rather than answering with a state that never existed.
    /// </summary>
    public async Task<IReadOnlyList<StoredEvent>> ReadAtAsync(GetStateAtRequest request, CancellationToken cancellationToken)
    {
        var streamId = streamOfAssessment(request.AssessmentId);
        var byVersion = request.AtCase == GetStateAtRequest.AtOneofCase.Version;
        var events = byVersion
            ? await store.ReadStreamAsync(streamId, 1, request.Version, cancellationToken).ConfigureAwait(false)
            : await store.ReadStreamAsOfAsync(streamId, request.Timestamp.ToDateTimeOffset(), cancellationToken).ConfigureAwait(false);
        if (events.Count > 0 && (!byVersion || events[^1].StreamVersion == request.Version))
        {
            return events;
        }

        var stream = await store.GetStreamAsync(streamId, cancellationToken).ConfigureAwait(false)
            ?? throw new AuditNotFoundException($"Stream '{streamId}' of assessment '{request.AssessmentId}' does not exist.");
        throw new AuditRangeException(byVersion
            ? $"Stream '{streamId}' has no version {request.Version}; it is at version {stream.Version}."
            : $"Stream '{streamId}' did not exist yet at {request.Timestamp.ToDateTimeOffset():O}; it was created at {stream.CreatedAt:O}.");
    }

    public async Task<VerifyIntegrityResponse> VerifyIntegrityAsync(VerifyIntegrityRequest request, CancellationToken cancellationToken)
    {
        var streamId = StreamIdOf(request.StreamId, request.AssessmentId);
        var report = await verifier.VerifyAsync(streamId, cancellationToken).ConfigureAwait(false);
        // Judged after the walk, not from the stream row: a deleted stream row with its events left is a break to report.
        if (streamId is not null && report.EventsChecked == 0 && report.Breaks.Count == 0)
        {
            throw new AuditNotFoundException($"Stream '{streamId}' does not exist.");
        }

        var response = new VerifyIntegrityResponse { Intact = report.Intact, EventsChecked = report.EventsChecked };
        response.Breaks.Add(report.Breaks.Select(b => new IntegrityBreak { StreamId = b.StreamId, Version = b.Version, Reason = b.Reason }));
        return response;
    }

    /// <summary>History entries of <paramref name="chain"/>, in order, with their clinical notes opened.</summary>
    public async Task<IReadOnlyList<HistoryEvent>> ToHistoryAsync(IReadOnlyList<ChainedEvent> chain, CancellationToken cancellationToken)
    {
        var page = chain.Select(ToHistoryEvent).ToList();
        if (notes is not null && page.Count > 0)
        {
            var readings = await notes.OpenAsync([.. chain.Select(c => c.Event)], cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < page.Count; i++)
            {
                if (readings[i] != NotesReading.None)
                {
                    page[i].ClinicalNotes = readings[i].Text;
                    page[i].ClinicalNotesErased = readings[i].Erased;
                }
            }
        }

        return page;
    }

    public static HistoryEvent ToHistoryEvent(ChainedEvent chained)
    {
        var stored = chained.Event;
        var metadata = stored.Metadata;
        return new HistoryEvent
        {
            EventId = stored.EventId.ToString("D"),
            StreamId = stored.StreamId,
            Version = stored.StreamVersion,
            GlobalPosition = stored.GlobalPosition,
            EventType = stored.EventType,
            RecordedAt = Timestamp.FromDateTimeOffset(stored.RecordedAt),
            Actor = metadata.Actor ?? string.Empty,
            CorrelationId = metadata.CorrelationId ?? string.Empty,
            CausationId = metadata.CausationId ?? string.Empty,
            TenantId = metadata.TenantId ?? string.Empty,
            Caller = metadata.Caller ?? string.Empty,
            DataJson = stored.DataJson,
            Hash = Convert.ToHexStringLower(chained.Hash),
            PreviousHash = chained.PreviousHash is null ? string.Empty : Convert.ToHexStringLower(chained.PreviousHash),
        };
    }

    private string? StreamIdOf(string streamId, string assessmentId) =>
        streamId.Length > 0 ? streamId : assessmentId.Length > 0 ? streamOfAssessment(assessmentId) : null;

    private async Task RequireStreamAsync(string streamId, CancellationToken cancellationToken)
    {
        if (await store.GetStreamAsync(streamId, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new AuditNotFoundException($"Stream '{streamId}' does not exist.");
        }
    }
}
