namespace SpasmPlatform.Grpc.Tests.Interop;

/// <summary>
/// Where the interop peers live and whether this machine can run them. A missing peer fails the test with
/// what to install: CI installs them, so a skip would only hide a broken CI image.
/// </summary>
public static class InteropEnvironment
{
    public const string InstallHint =
        "The interop tests need: apt-get install -y python3-grpcio python3-protobuf protobuf-compiler libprotobuf-dev "
        + "(grpcio runs under /usr/bin/python3), node >= 18 with npm on PATH, and `npm ci` run in tests/interop/node.";

    /// <summary>Debian's python3-grpcio is importable only by the system interpreter, not by a pyenv/venv python3 on PATH.</summary>
    public const string DefaultPython = "/usr/bin/python3";

    public static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(60);

    private static readonly Lazy<string> LazyRepoRoot = new(FindRepoRoot);
    private static readonly Lazy<Task<string?>> PythonProblem = new(CheckPythonAsync);
    private static readonly Lazy<Task<string?>> NodeProblem = new(CheckNodeAsync);

    public static string RepoRoot => LazyRepoRoot.Value;

    public static string PythonDirectory => Path.Combine(RepoRoot, "tests", "interop", "python");

    public static string NodeDirectory => Path.Combine(RepoRoot, "tests", "interop", "node");

    /// <summary>The interpreter that runs the python peers; SPASM_INTEROP_PYTHON overrides the Debian default.</summary>
    public static string Python => Environment.GetEnvironmentVariable("SPASM_INTEROP_PYTHON") is { Length: > 0 } python ? python : DefaultPython;

    /// <summary>Fails the calling test, saying what to install, unless python, grpcio and protoc work.</summary>
    public static async Task RequirePythonAsync()
    {
        if (await PythonProblem.Value is { } problem)
        {
            Assert.Fail(problem);
        }
    }

    /// <summary>Fails the calling test, saying what to install, unless node and the npm packages are there.</summary>
    public static async Task RequireNodeAsync()
    {
        if (await NodeProblem.Value is { } problem)
        {
            Assert.Fail(problem);
        }
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

        throw new InvalidOperationException($"No SpasmPlatform.sln above {AppContext.BaseDirectory}: the interop tests run from a repository checkout.");
    }

    private static async Task<string?> CheckPythonAsync()
    {
        if (!File.Exists(Python))
        {
            return $"Python interpreter {Python} not found. {InstallHint}";
        }

        // client.py's setup check imports grpc and compiles the protos with protoc, exactly as the scenarios will.
        var result = await ChildProcess.RunAsync(Python, [Path.Combine(PythonDirectory, "client.py"), "setup-check"], PythonDirectory, ScriptTimeout);
        return result.ExitCode == 0
            ? null
            : $"The python interop peer cannot run on this machine ({result.StandardOutput.Trim()} {result.StandardError.Trim()}). {InstallHint}";
    }

    private static async Task<string?> CheckNodeAsync()
    {
        foreach (var package in new[] { "@grpc/grpc-js", "@grpc/proto-loader", "protobufjs" })
        {
            if (!File.Exists(Path.Combine(NodeDirectory, "node_modules", package, "package.json")))
            {
                return $"{package} is not installed in {NodeDirectory}/node_modules. {InstallHint}";
            }
        }

        var result = await ChildProcess.RunAsync("node", [Path.Combine(NodeDirectory, "client.js"), "setup-check"], NodeDirectory, ScriptTimeout);
        return result.ExitCode == 0
            ? null
            : $"The node interop peer cannot run on this machine ({result.StandardOutput.Trim()} {result.StandardError.Trim()}). {InstallHint}";
    }
}
