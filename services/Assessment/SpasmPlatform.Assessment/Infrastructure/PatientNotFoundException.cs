namespace SpasmPlatform.Assessment.Infrastructure;

/// <summary>The clinic has no assessment for this patient reference (NOT_FOUND at the edge).</summary>
internal sealed class PatientNotFoundException(string clinicId, string patientRef)
    : Exception($"Clinic '{clinicId}' has no assessments for patient_ref '{patientRef}'.");
