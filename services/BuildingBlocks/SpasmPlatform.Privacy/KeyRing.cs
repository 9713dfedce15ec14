using System.Security.Cryptography;

namespace SpasmPlatform.Privacy;

/// <summary>The key rows of some patients, read once; opens their sealed notes, unwrapping each key at most once.</summary>
public sealed class KeyRing
{
    private readonly MasterKey _masterKey;
    private readonly Dictionary<(string Clinic, string Patient), List<(int Generation, byte[]? Wrapped)>> _rows = [];
    private readonly Dictionary<(string Clinic, string Patient, int Generation), PatientKey> _unwrapped = [];

    internal KeyRing(MasterKey masterKey) => _masterKey = masterKey;

    internal void Add(string clinicId, string patientRef, int generation, byte[]? wrapped)
    {
        if (!_rows.TryGetValue((clinicId, patientRef), out var rows))
        {
            _rows[(clinicId, patientRef)] = rows = [];
        }

        rows.Add((generation, wrapped));
    }

    /// <summary>
    /// The notes in clear, empty with Erased when their key generation (or a later one, for erasures that arrived
    /// before the key) is erased, <see cref="NotesReading.None"/> when there are none. Ciphertext that does not open
    /// (moved to another record, altered) throws <see cref="CryptographicException"/>: that is tampering, not erasure.
    /// </summary>
    public NotesReading Open(SealedNotesRef notes)
    {
        if (string.IsNullOrEmpty(notes.Sealed))
        {
            return NotesReading.None;
        }

        var sealedNotes = SealedNotes.Parse(notes.Sealed);
        var generation = sealedNotes.KeyGeneration;
        var rows = _rows.GetValueOrDefault((notes.ClinicId, notes.PatientRef)) ?? [];
        if (rows.Any(r => r.Generation >= generation && r.Wrapped is null))
        {
            return NotesReading.WasErased;
        }

        if (!_unwrapped.TryGetValue((notes.ClinicId, notes.PatientRef, generation), out var key))
        {
            var wrapped = rows.FirstOrDefault(r => r.Generation == generation).Wrapped
                ?? throw new PatientKeyMissingException(notes.ClinicId, generation);
            try
            {
                key = new PatientKey(notes.ClinicId, notes.PatientRef, generation, _masterKey.Unwrap(wrapped, notes.ClinicId, notes.PatientRef, generation));
            }
            catch (CryptographicException e)
            {
                throw new NotesKeyMismatchException(notes.ClinicId, generation, e);
            }

            _unwrapped[(notes.ClinicId, notes.PatientRef, generation)] = key;
        }

        return new NotesReading(key.Open(notes.AssessmentId, sealedNotes), Erased: false);
    }
}
