namespace SpasmPlatform.Privacy;

/// <summary>One generation of a patient's data key, unwrapped, for sealing or opening that patient's notes.</summary>
public sealed record PatientKey(string ClinicId, string PatientRef, int Generation, byte[] Key)
{
    public SealedNotes Seal(string assessmentId, string notes) =>
        new(Generation, AesGcmSealer.Seal(Key, System.Text.Encoding.UTF8.GetBytes(notes), AssociatedData.ForNotes(ClinicId, PatientRef, assessmentId, Generation)));

    /// <summary><see cref="System.Security.Cryptography.CryptographicException"/> when the notes belong to another record or were altered.</summary>
    public string Open(string assessmentId, SealedNotes notes)
    {
        if (notes.KeyGeneration != Generation)
        {
            throw new ArgumentException($"The notes were sealed with key generation {notes.KeyGeneration}, not {Generation}.", nameof(notes));
        }

        return System.Text.Encoding.UTF8.GetString(AesGcmSealer.Open(Key, notes.Bytes, AssociatedData.ForNotes(ClinicId, PatientRef, assessmentId, Generation)));
    }
}
