using System.Collections.Concurrent;

namespace SpasmPlatform.Grpc.Tests.Support;

/// <summary>What the test Echo service saw, so tests can assert on the server side of a call.</summary>
public sealed class EchoProbe
{
    private readonly ConcurrentQueue<string> _events = new();
    private readonly SemaphoreSlim _signal = new(0);

    public IReadOnlyCollection<string> Events => _events.ToArray();

    public ConcurrentBag<string> ConnectionIds { get; } = [];

    public void Record(string evt)
    {
        _events.Enqueue(evt);
        _signal.Release();
    }

    /// <summary>Waits until an event is recorded, failing after the timeout rather than hanging the test run.</summary>
    public async Task<bool> WaitForAsync(string evt, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!_events.Contains(evt))
        {
            var left = until - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            await _signal.WaitAsync(left);
        }

        return true;
    }
}
