using System.Collections.Concurrent;
using System.Diagnostics;

namespace SpasmPlatform.Grpc.Tests.Interop;

/// <summary>
/// tests/interop/python/server.py as a child process: a grpcio EchoService on a loopback port. Its stdout
/// announces the port ("LISTENING n") and then what its handlers saw ("EVENT name"), which tests wait on.
/// The process ends when its stdin closes, so a crashed test run does not leave it behind.
/// </summary>
public sealed class PythonServerProcess : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly ConcurrentQueue<string> _events = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<int> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? _process;

    public Uri Address { get; private set; } = null!;

    public IReadOnlyCollection<string> Events => _events.ToArray();

    /// <summary>Everything the server printed so far, for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    public async Task InitializeAsync()
    {
        await InteropEnvironment.RequirePythonAsync();
        var process = new Process
        {
            StartInfo = ChildProcess.CreateStartInfo(
                InteropEnvironment.Python,
                [Path.Combine(InteropEnvironment.PythonDirectory, "server.py"), "0"],
                InteropEnvironment.PythonDirectory),
            EnableRaisingEvents = true,
        };
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _output.Enqueue("stderr: " + e.Data);
            }
        };
        process.Exited += (_, _) => _listening.TrySetException(
            new InvalidOperationException($"server.py exited before listening.\n{Output}"));
        _process = process;
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"Cannot start {InteropEnvironment.Python}: {ex.Message}. {InteropEnvironment.InstallHint}", ex);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        int port;
        try
        {
            port = await _listening.Task.WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"server.py did not report a port within {StartTimeout.TotalSeconds} s.\n{Output}");
        }

        Address = new Uri($"http://127.0.0.1:{port}");
    }

    /// <summary>Waits until server.py reports the event, failing after the timeout rather than hanging.</summary>
    public async Task<bool> WaitForEventAsync(string name, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!_events.Contains(name))
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

    public async Task DisposeAsync()
    {
        if (_process is null)
        {
            return;
        }

        using var process = _process;
        if (!process.HasExited)
        {
            // Closing stdin is server.py's signal to stop; kill it if it does not in time.
            process.StandardInput.Close();
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        if (line.StartsWith("LISTENING ", StringComparison.Ordinal) && int.TryParse(line.AsSpan("LISTENING ".Length), out var port))
        {
            _listening.TrySetResult(port);
        }
        else if (line.StartsWith("EVENT ", StringComparison.Ordinal))
        {
            _events.Enqueue(line["EVENT ".Length..]);
            _signal.Release();
        }
    }
}
