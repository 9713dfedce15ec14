namespace SpasmPlatform.Fuzzing;

/// <summary>
/// One server under fuzz: its RPCs, their seeds and stored regressions, and a liveness check beyond health (e.g. the
/// process has not exited). <see cref="OnOk"/> sees every OK answer, so a fixture can account for what writes stored.
/// </summary>
public sealed record FuzzEndpoint(
    string Name,
    FuzzClient Client,
    IReadOnlyList<FuzzTarget> Targets,
    Corpus Corpus,
    Func<string?>? Alive = null,
    Action<FuzzTarget, IReadOnlyList<byte[]>>? OnOk = null,
    Func<FuzzTarget, IReadOnlyList<byte[]>>? ExtraSeeds = null);
