namespace SpasmPlatform.Privacy;

/// <summary>Sealed notes name a key generation the key table has no row for (neither live nor erased): the store is inconsistent.</summary>
public sealed class PatientKeyMissingException(string clinicId, int generation)
    : Exception($"No patient key of generation {generation} exists in clinic '{clinicId}' for notes that were sealed with it.");
