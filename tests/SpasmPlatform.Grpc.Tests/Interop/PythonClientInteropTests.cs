namespace SpasmPlatform.Grpc.Tests.Interop;

/// <summary>Our server against python grpcio (Debian's python3-grpcio, the C-core implementation).</summary>
public sealed class PythonClientInteropTests(InteropServerFixture fixture)
    : ClientInteropTests(fixture), IClassFixture<InteropServerFixture>
{
    protected override Task RequirePeerAsync() => InteropEnvironment.RequirePythonAsync();

    protected override Task<ProcessResult> RunClientAsync(params string[] arguments) =>
        ChildProcess.RunAsync(
            InteropEnvironment.Python,
            [Path.Combine(InteropEnvironment.PythonDirectory, "client.py"), .. arguments],
            InteropEnvironment.PythonDirectory,
            InteropEnvironment.ScriptTimeout);
}
