using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RabbitMQ.Client;

namespace SpasmPlatform.IntegrationTests.Infrastructure;

/// <summary>
/// A throwaway RabbitMQ node for tests that must stop the broker: the shared one started by ./spasm serves others.
/// Started the way deploy/local/lib.sh starts the platform's node (the real scripts under /usr/lib/rabbitmq/bin, as the
/// unprivileged daemon user when we are root, every RABBITMQ_* path private) but with its own node name, AMQP,
/// distribution and epmd ports and a data directory under /tmp. Its data survives <see cref="StopAsync"/>, so a
/// restart brings back durable queues and persistent messages, as a real broker restart would.
/// </summary>
public sealed class PrivateRabbitMqNode : IAsyncDisposable
{
    private const string ServerScript = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly string _directory;
    private readonly string _nodeName;
    private readonly int _distPort;
    private readonly int _epmdPort;
    private readonly ConcurrentQueue<string> _log = new();
    private Process? _process;

    private PrivateRabbitMqNode(string password)
    {
        Password = password;
        var id = Guid.NewGuid().ToString("N")[..12];
        _directory = Path.Combine(Path.GetTempPath(), $"spasm-rmq-{id}");
        _nodeName = $"spasmtest-{id}@localhost";
        var ports = FreePorts(3);
        AmqpPort = ports[0];
        _distPort = ports[1];
        _epmdPort = ports[2];
    }

    public int AmqpPort { get; }

    /// <summary>The password of its user spasm ("spasm" unless the test chose one, e.g. to look for it in logs).</summary>
    public string Password { get; }

    public string Uri => $"amqp://spasm:{System.Uri.EscapeDataString(Password)}@127.0.0.1:{AmqpPort}/";

    /// <summary>Creates the node's directory and starts it; returns when it accepts AMQP connections.</summary>
    /// <param name="password">The user's password; letters and digits only, as it is written into rabbitmq.conf unquoted.</param>
    public static async Task<PrivateRabbitMqNode> StartNewAsync(string password = "spasm")
    {
        if (!password.All(char.IsAsciiLetterOrDigit))
        {
            throw new ArgumentException("Letters and digits only.", nameof(password));
        }

        var node = new PrivateRabbitMqNode(password);
        try
        {
            await node.PrepareAsync();
            await node.StartAsync();
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    public async Task StartAsync()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException($"Node {_nodeName} is already running.");
        }

        var start = DaemonCommand("env", [.. NodeEnvironment(), ServerScript]);
        start.WorkingDirectory = _directory;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Log(e.Data);
        _process.ErrorDataReceived += (_, e) => Log(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + StartTimeout;
        var factory = new ConnectionFactory { Uri = new System.Uri(Uri), RequestedConnectionTimeout = TimeSpan.FromSeconds(2) };
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"RabbitMQ node {_nodeName} exited while starting (code {_process.ExitCode}):\n{LogTail()}");
            }

            try
            {
                // Ready means the AMQP listener is up and the default user exists, not merely that the VM runs.
                await using var connection = await factory.CreateConnectionAsync();
                return;
            }
            catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.BrokerUnreachableException or IOException or SocketException)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"RabbitMQ node {_nodeName} did not accept connections within {StartTimeout}:\n{LogTail()}");
                }

                await Task.Delay(200);
            }
        }
    }

    /// <summary>Stops the node the way `rabbitmqctl stop` would (SIGTERM: a clean shutdown), and waits until it is gone.</summary>
    public async Task StopAsync()
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }

        var pidFile = Path.Combine(_directory, "rabbitmq.pid");
        if (File.Exists(pidFile) && int.TryParse((await File.ReadAllTextAsync(pidFile)).Trim(), out var vmPid))
        {
            await RunAsync(new ProcessStartInfo("kill", ["-TERM", vmPid.ToString(System.Globalization.CultureInfo.InvariantCulture)]));
        }
        else
        {
            // The launcher is running but the VM has not written its pid yet: nothing graceful to ask.
            _process.Kill(entireProcessTree: true);
        }

        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        // The port must be closed before callers assume the broker is away.
        await WaitUntilAsync(() => !PortOpen(AmqpPort), StopTimeout, $"port {AmqpPort} to close");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            // The node started a private epmd on its own port; it outlives the node unless told to go.
            var epmd = new ProcessStartInfo("epmd", ["-kill"]);
            epmd.Environment["ERL_EPMD_PORT"] = _epmdPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await RunAsync(epmd, throwOnFailure: false);
            _process?.Dispose();
            if (Directory.Exists(_directory))
            {
                Directory.Delete(_directory, recursive: true);
            }
        }
    }

    private async Task PrepareAsync()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The private RabbitMQ node runs the Debian rabbitmq-server scripts: Linux only.");
        }

        Directory.CreateDirectory(_directory);
        foreach (var sub in new[] { "home", "mnesia", "log" })
        {
            Directory.CreateDirectory(Path.Combine(_directory, sub));
        }

        await File.WriteAllTextAsync(Path.Combine(_directory, "rabbitmq.conf"), $"""
            listeners.tcp.1 = 127.0.0.1:{AmqpPort}
            default_user = spasm
            default_pass = {Password}
            default_vhost = /
            default_user_tags.administrator = true
            default_permissions.configure = .*
            default_permissions.read = .*
            default_permissions.write = .*
            log.console = true
            log.console.level = warning
            log.file = false

            """);
        await File.WriteAllTextAsync(Path.Combine(_directory, "enabled_plugins"), "[].\n");
        await File.WriteAllTextAsync(Path.Combine(_directory, "rabbitmq-env.conf"), "# Configured by environment variables.\n");
        var cookie = Path.Combine(_directory, "home", ".erlang.cookie");
        await File.WriteAllTextAsync(cookie, Guid.NewGuid().ToString("N").ToUpperInvariant());
        File.SetUnixFileMode(cookie, UnixFileMode.UserRead);
        File.SetUnixFileMode(Path.Combine(_directory, "home"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (RunningAsRoot)
        {
            // RabbitMQ refuses to run as root; the daemon user must own everything it writes.
            await RunAsync(new ProcessStartInfo("chown", ["-R", $"{DaemonUser}:", _directory]));
        }
    }

    private IEnumerable<string> NodeEnvironment() =>
    [
        $"HOME={_directory}/home",
        "LC_ALL=C.UTF-8",
        $"RABBITMQ_NODENAME={_nodeName}",
        $"RABBITMQ_DIST_PORT={_distPort}",
        $"RABBITMQ_MNESIA_BASE={_directory}/mnesia",
        $"RABBITMQ_LOG_BASE={_directory}/log",
        $"RABBITMQ_PID_FILE={_directory}/rabbitmq.pid",
        $"RABBITMQ_CONFIG_FILE={_directory}/rabbitmq.conf",
        $"RABBITMQ_ADVANCED_CONFIG_FILE={_directory}/advanced.config",
        $"RABBITMQ_CONF_ENV_FILE={_directory}/rabbitmq-env.conf",
        $"RABBITMQ_ENABLED_PLUGINS_FILE={_directory}/enabled_plugins",
        "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}",
        $"ERL_EPMD_PORT={_epmdPort}",
        "ERL_EPMD_ADDRESS=127.0.0.1",
        $"ERL_CRASH_DUMP={_directory}/log/erl_crash.dump",
    ];

    private static bool RunningAsRoot => Environment.UserName == "root";

    private static string DaemonUser => Environment.GetEnvironmentVariable("SPASM_RUN_USER") is { Length: > 0 } user ? user : "spasm";

    private static ProcessStartInfo DaemonCommand(string command, IEnumerable<string> arguments) =>
        RunningAsRoot
            ? new ProcessStartInfo("runuser", ["-u", DaemonUser, "--", command, .. arguments])
            : new ProcessStartInfo(command, arguments);

    private static async Task RunAsync(ProcessStartInfo start, bool throwOnFailure = true)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (throwOnFailure && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{start.FileName} {string.Join(' ', start.ArgumentList)} failed ({process.ExitCode}): {await stderr}");
        }
    }

    private static int[] FreePorts(int count)
    {
        // Listen on all of them at once so the kernel hands out distinct ports; they are free again once closed.
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    private static bool PortOpen(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting for {what}.");
            }

            await Task.Delay(100);
        }
    }

    private void Log(string? line)
    {
        if (line is null)
        {
            return;
        }

        _log.Enqueue(line);
        while (_log.Count > 200 && _log.TryDequeue(out _))
        {
        }
    }

    private string LogTail() => string.Join('\n', _log.TakeLast(40));
}
