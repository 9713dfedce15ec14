using System.Security.Cryptography;
using System.Text;

namespace SpasmPlatform.Assessment.Domain;

/// <summary>
/// One stream per (clinic, patient) records the erasures of that patient's notes. Its id is derived, not spelled out,
/// so a patient reference never becomes part of a stream name; an erasure is appended at the version read, so two
/// requests racing cannot both record one.
/// </summary>
public static class PatientErasureStream
{
    public const string StreamType = "patient_erasure";

    public static string Id(string clinicId, string patientRef)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{clinicId}\n{patientRef}"), hash);
        return $"erasure-{Convert.ToHexStringLower(hash[..16])}";
    }
}
