namespace SpasmPlatform.Privacy;

/// <summary>A stored patient key does not unwrap under the configured master key (Security:NotesKey was changed, or the row was altered).</summary>
public sealed class NotesKeyMismatchException(string clinicId, int generation, Exception inner)
    : Exception($"A patient key of clinic '{clinicId}' (generation {generation}) cannot be unwrapped with the configured Security:NotesKey.", inner);
