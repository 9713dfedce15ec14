namespace SpasmPlatform.Grpc.Tests.Interop;

/// <summary>Our server against @grpc/grpc-js, the pure JavaScript implementation.</summary>
public sealed class NodeClientInteropTests(InteropServerFixture fixture)
    : ClientInteropTests(fixture), IClassFixture<InteropServerFixture>
{
    protected override Task RequirePeerAsync() => InteropEnvironment.RequireNodeAsync();

    protected override Task<ProcessResult> RunClientAsync(params string[] arguments) =>
        ChildProcess.RunAsync(
            "node",
            [Path.Combine(InteropEnvironment.NodeDirectory, "client.js"), .. arguments],
            InteropEnvironment.NodeDirectory,
            InteropEnvironment.ScriptTimeout);
}
