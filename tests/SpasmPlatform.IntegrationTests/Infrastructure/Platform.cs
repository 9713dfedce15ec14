namespace SpasmPlatform.IntegrationTests.Infrastructure;

/// <summary>
/// Where the real PostgreSQL and RabbitMQ are: SPASM_POSTGRES / SPASM_RABBITMQ, else the .spasm/env file
/// that `./spasm up` and `./spasm test` write. Missing servers fail the tests: they are never mocked.
/// </summary>
public static class Platform
{
    private static readonly Lazy<Dictionary<string, string>> EnvFile = new(ReadEnvFile);

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Postgres => Setting("SPASM_POSTGRES");

    public static string RabbitMq => Setting("SPASM_RABBITMQ");

    /// <summary>The clinical-notes master key given to the services this test run starts: random, never reused.</summary>
    public static string NotesKey { get; } = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>Debug or Release: the configuration these tests (and so the services) were built in.</summary>
    public static string BuildConfiguration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    private static string Setting(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value
        : EnvFile.Value.TryGetValue(name, out var fromFile) ? fromFile
        : throw new InvalidOperationException($"{name} is not set and .spasm/env has no value: start the platform with './spasm up' or run './spasm test'.");

    private static Dictionary<string, string> ReadEnvFile()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var path = Path.Combine(RepoRoot, ".spasm", "env");
        if (!File.Exists(path))
        {
            return values;
        }

        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.StartsWith("export ", StringComparison.Ordinal) ? raw[7..] : raw;
            var eq = line.IndexOf('=');
            if (eq > 0)
            {
                values[line[..eq].Trim()] = line[(eq + 1)..].Trim().Trim('"', '\'');
            }
        }

        return values;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SpasmPlatform.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Could not find SpasmPlatform.sln above the test directory.");
    }
}
