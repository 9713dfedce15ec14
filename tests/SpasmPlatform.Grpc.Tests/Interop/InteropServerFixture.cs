using SpasmPlatform.Grpc.Tests.Support;

namespace SpasmPlatform.Grpc.Tests.Interop;

/// <summary>One GrpcTestServer shared by the scenarios of a test class that need no server of their own.</summary>
public sealed class InteropServerFixture : IAsyncLifetime
{
    private GrpcTestServer? _server;

    public GrpcTestServer Server => _server ?? throw new InvalidOperationException("The fixture has not started.");

    public async Task InitializeAsync() => _server = await GrpcTestServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
