using System.Diagnostics;

namespace SpasmPlatform.IntegrationTests.Infrastructure;

/// <summary>Runs the built spasm-cli as a user would, capturing its exit code and output.</summary>
public static class SpasmCli
{
    public static Task<(int Code, string Output, string Error)> RunAsync(params string[] args) =>
        RunInAsync(workingDirectory: null, environment: null, args);

    /// <summary>
    /// Runs the CLI in <paramref name="workingDirectory"/> with the test's environment changed by
    /// <paramref name="environment"/> (a null value removes the variable).
    /// </summary>
    public static async Task<(int Code, string Output, string Error)> RunInAsync(
        string? workingDirectory, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var dll = Path.Combine(Platform.RepoRoot, "services", "Tools", "SpasmPlatform.Cli", "bin", Platform.BuildConfiguration, "net10.0", "spasm-cli.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await output, await error);
    }
}
