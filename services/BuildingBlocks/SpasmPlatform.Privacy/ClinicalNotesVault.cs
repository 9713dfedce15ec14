using Npgsql;

namespace SpasmPlatform.Privacy;

/// <summary>Seals and opens clinical notes with the patient keys of one service's schema.</summary>
public sealed class ClinicalNotesVault(PatientKeyStore keys, NpgsqlDataSource dataSource)
{
    public PatientKeyStore Keys => keys;

    /// <summary>Seals under the patient's current key (created if needed) in the caller's transaction; null for empty notes (no key is made).</summary>
    public async Task<SealedNotes?> SealAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string clinicId, string patientRef, string assessmentId, string notes, CancellationToken cancellationToken)
    {
        if (notes.Length == 0)
        {
            return null;
        }

        var key = await keys.CurrentAsync(connection, transaction, clinicId, patientRef, cancellationToken).ConfigureAwait(false);
        return key.Seal(assessmentId, notes);
    }

    /// <summary>Opens many sealed notes with one key lookup, on the caller's connection, in order.</summary>
    public async Task<IReadOnlyList<NotesReading>> OpenAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<SealedNotesRef> notes, CancellationToken cancellationToken)
    {
        var sealedOnes = notes.Where(n => !string.IsNullOrEmpty(n.Sealed)).ToList();
        if (sealedOnes.Count == 0)
        {
            return [.. notes.Select(_ => NotesReading.None)];
        }

        var ring = await keys.FindAsync(connection, transaction, sealedOnes.Select(n => (n.ClinicId, n.PatientRef)), cancellationToken).ConfigureAwait(false);
        return [.. notes.Select(ring.Open)];
    }

    /// <summary>Opens on a connection of its own.</summary>
    public async Task<IReadOnlyList<NotesReading>> OpenAsync(IReadOnlyList<SealedNotesRef> notes, CancellationToken cancellationToken)
    {
        if (notes.All(n => string.IsNullOrEmpty(n.Sealed)))
        {
            return [.. notes.Select(_ => NotesReading.None)];
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await OpenAsync(connection, null, notes, cancellationToken).ConfigureAwait(false);
    }

    public async Task<NotesReading> OpenAsync(SealedNotesRef notes, CancellationToken cancellationToken) =>
        (await OpenAsync([notes], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>Creates the key table if needed; idempotent, safe from several instances (serialized on an advisory lock).</summary>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext($1))", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue($"{keys.Table}:ddl");
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var create = new NpgsqlCommand(keys.CreateSql, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
