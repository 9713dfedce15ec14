namespace SpasmPlatform.Privacy;

/// <summary>
/// What an erasure did: the key generations it destroyed (empty when none was left) and the highest generation it
/// covers, so another service can destroy the matching keys of its own.
/// </summary>
public sealed record ErasureResult(IReadOnlyList<int> DestroyedGenerations, int ThroughGeneration);
