using Microsoft.AspNetCore.Builder;
using SpasmPlatform.Grpc.Tests.Support;
using SpasmPlatform.ServiceDefaults.RateLimiting;

namespace SpasmPlatform.Grpc.Tests.Interop;

/// <summary>python grpcio (C-core) reads our rate-limit answer as RESOURCE_EXHAUSTED with its RetryInfo.</summary>
public sealed class PythonRateLimitInteropTests
{
    [Fact]
    public async Task Grpcio_sees_RESOURCE_EXHAUSTED_with_RetryInfo_and_health_stays_served()
    {
        await InteropEnvironment.RequirePythonAsync();
        await using var server = await GrpcTestServer.StartAsync(
            configureServices: services => services.AddCallerRateLimiting(permitsPerSecond: 1, burst: 2),
            map: app =>
            {
                app.UseCallerRateLimiting();
                app.MapGrpcService<TestEchoService>();
                app.MapGrpcHealthChecksService();
            });

        var result = await ChildProcess.RunAsync(
            InteropEnvironment.Python,
            [Path.Combine(InteropEnvironment.PythonDirectory, "rate_limited.py"), $"{server.Address.Host}:{server.Address.Port}"],
            InteropEnvironment.PythonDirectory,
            InteropEnvironment.ScriptTimeout);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains("PASS rate_limited", result.StandardOutput, StringComparison.Ordinal);
    }
}
