using System.Security.Cryptography;
using Npgsql;
using NpgsqlTypes;

namespace SpasmPlatform.Privacy;

/// <summary>
/// Per-patient data keys in the service's own schema, one row per (clinic, patient, generation), each wrapped with
/// the master key. Erasure sets a patient's wrapped keys to NULL: the ciphertext sealed with them stays where it is
/// (events are never rewritten, so the hash chain holds) but nobody can open it again. A patient seen again after an
/// erasure gets the next generation, so new notes are readable while the erased ones stay erased.
/// Every method runs on the caller's connection and transaction, so keys commit or roll back with what they seal.
/// </summary>
public sealed class PatientKeyStore(string schema, MasterKey masterKey)
{
    public string Table => $"{schema}.patient_keys";

    /// <summary>Idempotent DDL; run at start-up.</summary>
    public string CreateSql => $"""
        CREATE TABLE IF NOT EXISTS {schema}.patient_keys (
            clinic_id text NOT NULL,
            patient_ref text NOT NULL,
            generation int NOT NULL,
            wrapped_key bytea,
            created_at timestamptz NOT NULL DEFAULT now(),
            erased_at timestamptz,
            PRIMARY KEY (clinic_id, patient_ref, generation),
            CONSTRAINT patient_keys_erased CHECK ((wrapped_key IS NULL) = (erased_at IS NOT NULL)));
        """;

    /// <summary>
    /// The patient's live key, creating the next generation when there is none (first notes, or first notes after an
    /// erasure). The row is share-locked: an erasure running now waits for this transaction, so whatever it seals is
    /// covered by that erasure.
    /// </summary>
    public async Task<PatientKey> CurrentAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string clinicId, string patientRef, CancellationToken cancellationToken)
    {
        while (true)
        {
            int? latest = null;
            byte[]? wrapped = null;
            await using (var select = new NpgsqlCommand(
                $"SELECT generation, wrapped_key FROM {Table} WHERE clinic_id = $1 AND patient_ref = $2 ORDER BY generation DESC LIMIT 1 FOR SHARE",
                connection, transaction))
            {
                select.Parameters.AddWithValue(clinicId);
                select.Parameters.AddWithValue(patientRef);
                await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    latest = reader.GetInt32(0);
                    wrapped = reader.IsDBNull(1) ? null : reader.GetFieldValue<byte[]>(1);
                }
            }

            if (latest is { } generation && wrapped is not null)
            {
                return Unwrap(clinicId, patientRef, generation, wrapped);
            }

            // Another transaction creating the same generation makes this insert wait, then do nothing: read again.
            if (await TryCreateAsync(connection, transaction, clinicId, patientRef, (latest ?? 0) + 1, cancellationToken).ConfigureAwait(false) is { } created)
            {
                return created;
            }
        }
    }

    /// <summary>
    /// The key of a generation chosen elsewhere (the care-plan service mirrors the assessment service's generations),
    /// created on first use; null when that generation is erased here, also when the erasure arrived first.
    /// </summary>
    public async Task<PatientKey?> ForGenerationAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string clinicId, string patientRef, int generation, CancellationToken cancellationToken)
    {
        while (true)
        {
            var rows = new List<(int Generation, byte[]? Wrapped)>();
            await using (var select = new NpgsqlCommand(
                $"SELECT generation, wrapped_key FROM {Table} WHERE clinic_id = $1 AND patient_ref = $2 AND generation >= $3 FOR SHARE",
                connection, transaction))
            {
                select.Parameters.AddWithValue(clinicId);
                select.Parameters.AddWithValue(patientRef);
                select.Parameters.AddWithValue(generation);
                await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    rows.Add((reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<byte[]>(1)));
                }
            }

            // An erasure through a later generation covers this one.
            if (rows.Any(r => r.Wrapped is null))
            {
                return null;
            }

            if (rows.FirstOrDefault(r => r.Generation == generation) is { Wrapped: { } wrapped })
            {
                return Unwrap(clinicId, patientRef, generation, wrapped);
            }

            if (await TryCreateAsync(connection, transaction, clinicId, patientRef, generation, cancellationToken).ConfigureAwait(false) is { } created)
            {
                return created;
            }
        }
    }

    /// <summary>Every key row of the given patients, to open many records with one round trip.</summary>
    public async Task<KeyRing> FindAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, IEnumerable<(string ClinicId, string PatientRef)> patients, CancellationToken cancellationToken)
    {
        var distinct = patients.Distinct().ToList();
        var ring = new KeyRing(masterKey);
        if (distinct.Count == 0)
        {
            return ring;
        }

        await using var select = new NpgsqlCommand(
            $"""
            SELECT k.clinic_id, k.patient_ref, k.generation, k.wrapped_key
            FROM {Table} k JOIN unnest($1::text[], $2::text[]) AS p(clinic_id, patient_ref)
              ON k.clinic_id = p.clinic_id AND k.patient_ref = p.patient_ref
            """, connection, transaction);
        select.Parameters.Add(new NpgsqlParameter { Value = distinct.Select(p => p.ClinicId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        select.Parameters.Add(new NpgsqlParameter { Value = distinct.Select(p => p.PatientRef).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            ring.Add(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetFieldValue<byte[]>(3));
        }

        return ring;
    }

    /// <summary>
    /// Destroys the patient's live keys, all of them (<paramref name="throughGeneration"/> null) or those up to a
    /// generation; in the second form a tombstone row records the erasure even for generations not seen here yet.
    /// </summary>
    public async Task<ErasureResult> EraseAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string clinicId, string patientRef, int? throughGeneration, CancellationToken cancellationToken)
    {
        if (throughGeneration is { } through)
        {
            // First, so that a key being created for this generation right now is either waited for (and then erased
            // below) or never created (its insert meets the tombstone).
            await using var tombstone = new NpgsqlCommand(
                $"INSERT INTO {Table} (clinic_id, patient_ref, generation, wrapped_key, erased_at) VALUES ($1, $2, $3, NULL, now()) ON CONFLICT DO NOTHING",
                connection, transaction);
            tombstone.Parameters.AddWithValue(clinicId);
            tombstone.Parameters.AddWithValue(patientRef);
            tombstone.Parameters.AddWithValue(through);
            await tombstone.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var destroyed = new List<int>();
        await using (var erase = new NpgsqlCommand(
            $"""
            UPDATE {Table} SET wrapped_key = NULL, erased_at = now()
            WHERE clinic_id = $1 AND patient_ref = $2 AND wrapped_key IS NOT NULL AND ($3::int IS NULL OR generation <= $3)
            RETURNING generation
            """, connection, transaction))
        {
            erase.Parameters.AddWithValue(clinicId);
            erase.Parameters.AddWithValue(patientRef);
            erase.Parameters.Add(new NpgsqlParameter { Value = (object?)throughGeneration ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
            await using var reader = await erase.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                destroyed.Add(reader.GetInt32(0));
            }
        }

        destroyed.Sort();
        if (throughGeneration is { } given)
        {
            return new ErasureResult(destroyed, given);
        }

        await using var max = new NpgsqlCommand($"SELECT coalesce(max(generation), 0) FROM {Table} WHERE clinic_id = $1 AND patient_ref = $2", connection, transaction);
        max.Parameters.AddWithValue(clinicId);
        max.Parameters.AddWithValue(patientRef);
        return new ErasureResult(destroyed, (int)(await max.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!);
    }

    private async Task<PatientKey?> TryCreateAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string clinicId, string patientRef, int generation, CancellationToken cancellationToken)
    {
        var key = RandomNumberGenerator.GetBytes(AesGcmSealer.KeySize);
        await using var insert = new NpgsqlCommand(
            $"INSERT INTO {Table} (clinic_id, patient_ref, generation, wrapped_key) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            connection, transaction);
        insert.Parameters.AddWithValue(clinicId);
        insert.Parameters.AddWithValue(patientRef);
        insert.Parameters.AddWithValue(generation);
        insert.Parameters.Add(new NpgsqlParameter { Value = masterKey.Wrap(key, clinicId, patientRef, generation), NpgsqlDbType = NpgsqlDbType.Bytea });
        return await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1 ? new PatientKey(clinicId, patientRef, generation, key) : null;
    }

    private PatientKey Unwrap(string clinicId, string patientRef, int generation, byte[] wrapped)
    {
        try
        {
            return new PatientKey(clinicId, patientRef, generation, masterKey.Unwrap(wrapped, clinicId, patientRef, generation));
        }
        catch (CryptographicException e)
        {
            throw new NotesKeyMismatchException(clinicId, generation, e);
        }
    }
}
