using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace SpasmPlatform.IntegrationTests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster for tests that must stop the database: the shared one started by ./spasm serves
/// other tests and services and must never be stopped. Initialised and started the way deploy/local/lib.sh does it
/// (initdb with SCRAM, loopback TCP only, no Unix socket; as the unprivileged daemon user when we are root) but on a
/// port and data directory of its own under /tmp. Its data survives <see cref="StopAsync"/>, so a restart is a real
/// database restart: committed rows stay, open connections break.
/// </summary>
public sealed class PrivatePostgresCluster : IAsyncDisposable
{
    private const string User = "spasm";
    private const string Password = "spasm";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly string _directory;
    private readonly string _data;
    private readonly string _binDirectory;
    private bool _running;

    private PrivatePostgresCluster(string binDirectory)
    {
        _binDirectory = binDirectory;
        _directory = Path.Combine(Path.GetTempPath(), $"spasm-pg-{Guid.NewGuid():N}"[..22]);
        _data = Path.Combine(_directory, "data");
        Port = FreePort();
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username={User};Password={Password};Database=spasm";

    /// <summary>Initialises a cluster with the spasm user and database and starts it; returns when it answers queries.</summary>
    public static async Task<PrivatePostgresCluster> StartNewAsync()
    {
        var cluster = new PrivatePostgresCluster(FindBinDirectory());
        try
        {
            await cluster.InitialiseAsync();
            await cluster.StartAsync();
            await using var dataSource = NpgsqlDataSource.Create(cluster.ConnectionString.Replace("Database=spasm", "Database=postgres", StringComparison.Ordinal));
            await using var create = dataSource.CreateCommand($"CREATE DATABASE spasm OWNER {User}");
            await create.ExecuteNonQueryAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async Task StartAsync()
    {
        await RunAsync(DaemonCommand(Path.Combine(_binDirectory, "pg_ctl"),
            ["start", "-D", _data, "-w", "-t", ((int)StartTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture), "-l", Path.Combine(_directory, "postgres.log")]));
        _running = true;
    }

    /// <summary>A fast shutdown, as a restart by an operator or a fail-over would do: sessions are cut, committed data stays.</summary>
    public async Task StopAsync()
    {
        if (!_running)
        {
            return;
        }

        await RunAsync(DaemonCommand(Path.Combine(_binDirectory, "pg_ctl"), ["stop", "-D", _data, "-m", "fast", "-w"]));
        _running = false;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            if (Directory.Exists(_directory))
            {
                Directory.Delete(_directory, recursive: true);
            }
        }
    }

    public string LogTail() =>
        File.Exists(Path.Combine(_directory, "postgres.log")) ? string.Join('\n', File.ReadLines(Path.Combine(_directory, "postgres.log")).TakeLast(40)) : string.Empty;

    private async Task InitialiseAsync()
    {
        Directory.CreateDirectory(_directory);
        var passwordFile = Path.Combine(_directory, "pwfile");
        await File.WriteAllTextAsync(passwordFile, Password + "\n");
        if (RunningAsRoot)
        {
            // initdb refuses to run as root; the daemon user must own the cluster and be able to read the password.
            await RunAsync(new ProcessStartInfo("chown", ["-R", $"{DaemonUser}:", _directory]));
        }

        await RunAsync(DaemonCommand(Path.Combine(_binDirectory, "initdb"),
            ["-D", _data, "-U", User, $"--pwfile={passwordFile}", "--auth=scram-sha-256", "--encoding=UTF8", "--no-locale"]));
        File.Delete(passwordFile);
        await File.WriteAllTextAsync(Path.Combine(_data, "pg_hba.conf"), """
            host    all       all   127.0.0.1/32   scram-sha-256
            host    all       all   ::1/128        scram-sha-256

            """);
        await File.AppendAllTextAsync(Path.Combine(_data, "postgresql.conf"), $"""

            listen_addresses = '127.0.0.1'
            port = {Port}
            unix_socket_directories = ''
            password_encryption = 'scram-sha-256'
            max_connections = 200

            """);
        if (RunningAsRoot)
        {
            await RunAsync(new ProcessStartInfo("chown", ["-R", $"{DaemonUser}:", _directory]));
        }
    }

    private static string FindBinDirectory() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "pg_ctl")) && File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var major) ? major : 0)
                .FirstOrDefault() ?? throw new InvalidOperationException("No PostgreSQL server binaries under /usr/lib/postgresql/*/bin.")
            : throw new InvalidOperationException("No PostgreSQL server binaries under /usr/lib/postgresql/*/bin.");

    private static bool RunningAsRoot => Environment.UserName == "root";

    private static string DaemonUser => Environment.GetEnvironmentVariable("SPASM_RUN_USER") is { Length: > 0 } user ? user : "spasm";

    private static ProcessStartInfo DaemonCommand(string command, IEnumerable<string> arguments) =>
        RunningAsRoot
            ? new ProcessStartInfo("runuser", ["-u", DaemonUser, "--", command, .. arguments]) { WorkingDirectory = "/" }
            : new ProcessStartInfo(command, arguments) { WorkingDirectory = "/" };

    private async Task RunAsync(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        // -l sends the postmaster's own output to its log file, so these pipes close when pg_ctl exits.
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{start.FileName} {string.Join(' ', start.ArgumentList)} failed ({process.ExitCode}): {await stderr}\n{LogTail()}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
