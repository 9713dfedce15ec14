using Google.Protobuf.WellKnownTypes;
using Npgsql;
using SpasmPlatform.Assessment.Domain;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Outbox;
using SpasmPlatform.EventStore.Serialization;
using SpasmPlatform.EventStore.Streams;
using SpasmPlatform.Privacy;

namespace SpasmPlatform.Assessment.Infrastructure;

/// <summary>
/// Erases a patient's clinical notes by destroying the patient's keys: every sealed copy (events, read model, outbox)
/// stays byte for byte where it is, so the hash chains hold, and none of it can be opened again. In one transaction:
/// the keys, the erasure event (who, why, which assessments) and <see cref="Integration.ClinicalNotesErased"/> in the
/// outbox for the care-plan service. Once nothing is left to erase, a repeat records nothing.
/// </summary>
internal sealed class NotesEraser(
    MartenEventStore store,
    AssessmentReadModel readModel,
    PatientKeyStore keys,
    EventStoreOptions storeOptions,
    IntegrationMessageTypes messageTypes)
{
    private const int Attempts = 5;

    public async Task<EraseClinicalNotesResponse> EraseAsync(EraseClinicalNotesRequest request, string correlationId, CancellationToken cancellationToken)
    {
        var streamId = PatientErasureStream.Id(request.ClinicId, request.PatientRef);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryEraseAsync(request, streamId, correlationId, cancellationToken);
            }
            catch (ConcurrencyException) when (attempt < Attempts)
            {
                // Another request for the same patient recorded its erasure first; look again (it is likely already done).
            }
        }
    }

    private async Task<EraseClinicalNotesResponse> TryEraseAsync(EraseClinicalNotesRequest request, string streamId, string correlationId, CancellationToken cancellationToken)
    {
        await using var session = await store.OpenSessionAsync(cancellationToken);
        var assessments = await AssessmentsOfAsync(session, request.ClinicId, request.PatientRef, cancellationToken);
        if (assessments.Count == 0)
        {
            throw new PatientNotFoundException(request.ClinicId, request.PatientRef);
        }

        var stream = await store.GetStreamAsync(streamId, cancellationToken);
        var erasure = await keys.EraseAsync(session.Connection, session.Transaction, request.ClinicId, request.PatientRef, throughGeneration: null, cancellationToken);
        if (erasure.DestroyedGenerations.Count == 0 && stream is not null)
        {
            // Nothing left to destroy and the erasure is on record: the request is already fulfilled.
            var last = (await store.ReadStreamAsync(streamId, stream.Version, stream.Version, cancellationToken)).Single();
            return Response(last.EventId, last.RecordedAt, last.Data<ClinicalNotesErased>().RequestedBy, alreadyErased: true, assessments.Count, 0);
        }

        var erased = new ClinicalNotesErased(
            request.ClinicId, request.PatientRef, request.RequestedBy, request.Reason, erasure.DestroyedGenerations, erasure.ThroughGeneration, assessments);
        var eventId = Guid.CreateVersion7();
        var appended = await session.AppendAsync(
            streamId, PatientErasureStream.StreamType, stream is null ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(stream.Version),
            [EventJson.ToNewEvent(storeOptions.Types, erased, new EventMetadata(CorrelationId: correlationId, Actor: request.RequestedBy, TenantId: request.ClinicId), eventId)],
            cancellationToken);
        var messageId = Guid.CreateVersion7();
        session.Publish(messageTypes.Create(
            new Integration.ClinicalNotesErased(
                messageId, correlationId, request.ClinicId, request.PatientRef, erasure.ThroughGeneration, request.RequestedBy, request.Reason, appended.RecordedAt),
            streamId,
            messageId: messageId));
        await session.CommitAsync(cancellationToken);
        return Response(eventId, appended.RecordedAt, request.RequestedBy, alreadyErased: false, assessments.Count, erasure.DestroyedGenerations.Count);
    }

    private async Task<List<string>> AssessmentsOfAsync(EventStoreSession session, string clinicId, string patientRef, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT assessment_id FROM {readModel.Schema}.assessments WHERE clinic_id = $1 AND patient_ref = $2 ORDER BY submitted_at, assessment_id",
            session.Connection, session.Transaction);
        command.Parameters.AddWithValue(clinicId);
        command.Parameters.AddWithValue(patientRef);
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    private static EraseClinicalNotesResponse Response(Guid eventId, DateTimeOffset at, string by, bool alreadyErased, int assessments, int keysDestroyed) => new()
    {
        ErasureId = eventId.ToString("D"),
        ErasedAt = Timestamp.FromDateTimeOffset(at),
        ErasedBy = by,
        AlreadyErased = alreadyErased,
        Assessments = assessments,
        KeysDestroyed = keysDestroyed,
    };
}
