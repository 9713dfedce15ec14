using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SpasmPlatform.IntegrationTests.Infrastructure;

/// <summary>One of the platform's services, started as its own process on a free loopback port.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Func<Uri, global::Grpc.Net.Client.GrpcChannel> _openChannel;

    private ServiceProcess(string name, Process process, Uri address, Func<Uri, global::Grpc.Net.Client.GrpcChannel> openChannel)
    {
        _openChannel = openChannel;
        Name = name;
        _process = process;
        Address = address;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }

    public Uri Address { get; }

    public bool HasExited => _process.HasExited;

    public int ProcessId => _process.Id;

    public int ExitCode => _process.ExitCode;

    /// <summary>Sends SIGTERM, as Kubernetes and docker stop do: the host's graceful shutdown, not a kill.</summary>
    public void Terminate()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            ?? throw new InvalidOperationException("Could not run kill.");
        kill.WaitForExit();
    }

    public Task WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync().WaitAsync(timeout);

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <param name="project">"Assessment", "Knowledge" or "CarePlan".</param>
    /// <param name="openChannel">How health checks reach it: for mutual-TLS processes, a channel that trusts the test CA.</param>
    public static ServiceProcess Start(string project, IReadOnlyDictionary<string, string>? environment = null, Func<Uri, global::Grpc.Net.Client.GrpcChannel>? openChannel = null)
    {
        var dll = Path.Combine(Platform.RepoRoot, "services", project, $"SpasmPlatform.{project}", "bin", Platform.BuildConfiguration, "net10.0", $"SpasmPlatform.{project}.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"Build the solution first: {dll} is missing.", dll);
        }

        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll },
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["Grpc__Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Grpc__BindAddress"] = "127.0.0.1";
        start.Environment["ConnectionStrings__Postgres"] = Platform.Postgres;
        start.Environment["ConnectionStrings__RabbitMq"] = Platform.RabbitMq;
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        // Loopback h2c, every caller trusted: the security tests (Security/) start their processes with mutual TLS.
        start.Environment["Security__Mode"] = "Development";
        // Every process of one test run shares a key made for the run, so instances on one schema read each other's notes.
        start.Environment["Security__NotesKey"] = Platform.NotesKey;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var scheme = start.Environment["Security__Mode"] == "MutualTls" ? "https" : "http";
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {dll}.");
        return new ServiceProcess(project, process, new Uri($"{scheme}://127.0.0.1:{port}"), openChannel ?? (address => SpasmPlatform.Contracts.Calling.PlatformChannels.Create(address, retries: false)));
    }

    /// <summary>Polls gRPC health until the process reports SERVING (90 s at most); the failure message carries its output.</summary>
    public async Task WaitForServingAsync()
    {
        using var channel = _openChannel(Address);
        var health = new global::Grpc.Health.V1.Health.HealthClient(channel);
        await Eventually.WaitAsync(async () =>
        {
            try
            {
                var status = await health.CheckAsync(new global::Grpc.Health.V1.HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
                return status.Status == global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving;
            }
            catch (Grpc.Core.RpcException e) when (e.StatusCode is Grpc.Core.StatusCode.Unavailable or Grpc.Core.StatusCode.DeadlineExceeded)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(90), $"{Name} to serve; its output:\n{Output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
