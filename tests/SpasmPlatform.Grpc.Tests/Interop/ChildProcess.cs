using System.Diagnostics;
using System.Text;

namespace SpasmPlatform.Grpc.Tests.Interop;

/// <summary>What a finished child process said and how it ended.</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError, TimeSpan Elapsed)
{
    public string Describe() =>
        $"exit code {ExitCode} after {Elapsed.TotalSeconds:F1} s\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
}

/// <summary>Runs a peer's script to completion, killing it (and only it) if it outlives its time limit.</summary>
public static class ChildProcess
{
    public static async Task<ProcessResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        string workingDirectory,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        using var process = new Process { StartInfo = CreateStartInfo(fileName, arguments, workingDirectory, environment) };
        var stopwatch = Stopwatch.StartNew();
        StartOrExplain(process);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"{fileName} {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds} s and was killed.\n"
                + $"--- stdout ---\n{await stdout}\n--- stderr ---\n{await stderr}");
        }

        return new ProcessResult(process.ExitCode, await stdout, await stderr, stopwatch.Elapsed);
    }

    public static ProcessStartInfo CreateStartInfo(
        string fileName,
        IEnumerable<string> arguments,
        string workingDirectory,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Keep the scripts from writing __pycache__ into the source tree, and unbuffered so lines arrive as printed.
        info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        info.Environment["PYTHONUNBUFFERED"] = "1";
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                info.Environment[key] = value;
            }
        }

        return info;
    }

    public static void StartOrExplain(Process process)
    {
        try
        {
            process.Start();
            // The peers never read stdin; closing it means a stray read ends instead of hanging.
            process.StandardInput.Close();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Assert.Fail($"Cannot start '{process.StartInfo.FileName}': {ex.Message}. {InteropEnvironment.InstallHint}");
        }
    }
}
