using SpasmPlatform.Grpc.Tests.Support;

namespace SpasmPlatform.Grpc.Tests.Server;

/// <summary>One server with default options, shared by a test class.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public GrpcTestServer Server { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await GrpcTestServer.StartAsync();
        Http = RawGrpc.CreateClient(Server.Address);
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}
