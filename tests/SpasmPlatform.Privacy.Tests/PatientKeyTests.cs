using System.Security.Cryptography;

namespace SpasmPlatform.Privacy.Tests;

public sealed class PatientKeyTests
{
    private static PatientKey Key(string clinic = "clinic-1", string patient = "patient-1", int generation = 1, byte[]? key = null) =>
        new(clinic, patient, generation, key ?? RandomNumberGenerator.GetBytes(AesGcmSealer.KeySize));

    [Fact]
    public void Notes_round_trip_for_their_own_record()
    {
        var key = Key();

        var notes = key.Seal("assessment-1", "Worse after lifting; asks about a back brace.");

        Assert.Equal("Worse after lifting; asks about a back brace.", key.Open("assessment-1", notes));
        Assert.Equal(1, notes.KeyGeneration);
    }

    [Fact]
    public void Notes_moved_to_another_assessment_do_not_open()
    {
        var key = Key();

        var notes = key.Seal("assessment-1", "notes");

        Assert.ThrowsAny<CryptographicException>(() => key.Open("assessment-2", notes));
    }

    [Fact]
    public void Notes_moved_to_another_patient_or_clinic_do_not_open_even_with_the_same_key_bytes()
    {
        var bytes = RandomNumberGenerator.GetBytes(AesGcmSealer.KeySize);
        var notes = Key(key: bytes).Seal("assessment-1", "notes");

        Assert.ThrowsAny<CryptographicException>(() => Key(patient: "patient-2", key: bytes).Open("assessment-1", notes));
        Assert.ThrowsAny<CryptographicException>(() => Key(clinic: "clinic-2", key: bytes).Open("assessment-1", notes));
    }

    [Fact]
    public void Another_patient_key_does_not_open()
    {
        var notes = Key().Seal("assessment-1", "notes");

        Assert.ThrowsAny<CryptographicException>(() => Key().Open("assessment-1", notes));
    }

    [Fact]
    public void Notes_claiming_another_generation_are_refused()
    {
        var bytes = RandomNumberGenerator.GetBytes(AesGcmSealer.KeySize);
        var notes = Key(generation: 1, key: bytes).Seal("assessment-1", "notes");

        Assert.Throws<ArgumentException>(() => Key(generation: 2, key: bytes).Open("assessment-1", notes));
        // Relabelled to match: the generation is bound into the associated data too.
        Assert.ThrowsAny<CryptographicException>(() => Key(generation: 2, key: bytes).Open("assessment-1", notes with { KeyGeneration = 2 }));
    }

    [Fact]
    public void Tampered_notes_do_not_open()
    {
        var key = Key();
        var notes = key.Seal("assessment-1", "notes");
        var bytes = (byte[])notes.Bytes.Clone();
        bytes[^1] ^= 0x80;

        Assert.ThrowsAny<CryptographicException>(() => key.Open("assessment-1", notes with { Bytes = bytes }));
    }
}
