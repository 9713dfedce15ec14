namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>How the test consumer behaves, and what it went through: its first attempts fail, then it succeeds.</summary>
public sealed class InboxScenario(int failuresBeforeSuccess)
{
    private int _attempts;

    public int Attempts => Volatile.Read(ref _attempts);

    /// <summary>Counts an attempt and says whether it is one that must fail.</summary>
    public bool NextAttemptFails() => Interlocked.Increment(ref _attempts) <= failuresBeforeSuccess;
}
