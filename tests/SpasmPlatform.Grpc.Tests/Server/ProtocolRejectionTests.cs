using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using SpasmPlatform.Grpc.Server;
using SpasmPlatform.Grpc.Tests.Support;
using SpasmPlatform.Testing.V1;

namespace SpasmPlatform.Grpc.Tests.Server;

public sealed class ProtocolRejectionTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("application/json")]
    [InlineData("application/grpc+json")]
    [InlineData("text/plain")]
    public async Task Wrong_content_type_is_415(string contentType)
    {
        var request = RawGrpc.Request("/spasm.testing.v1.EchoService/Echo", new ByteArrayContent(RawGrpc.Frame(new EchoRequest())), contentType);

        var response = await RawGrpc.SendAsync(fixture.Http, request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.HttpStatus);
    }

    [Fact]
    public async Task Grpc_proto_content_type_is_accepted()
    {
        var request = RawGrpc.Request("/spasm.testing.v1.EchoService/Echo", new ByteArrayContent(RawGrpc.Frame(new EchoRequest { Message = "p" })), "application/grpc+proto");

        var response = await RawGrpc.SendAsync(fixture.Http, request);

        Assert.Equal("0", response.Status);
    }

    [Fact]
    public async Task Http1_request_is_426()
    {
        await using var server = await GrpcTestServer.StartAsync(protocols: HttpProtocols.Http1);
        using var http = new HttpClient { BaseAddress = server.Address };
        var content = new ByteArrayContent(RawGrpc.Frame(new EchoRequest()));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");

        using var response = await http.PostAsync("/spasm.testing.v1.EchoService/Echo", content);

        Assert.Equal(HttpStatusCode.UpgradeRequired, response.StatusCode);
        Assert.Equal(new Version(1, 1), response.Version);
    }

    [Theory]
    [InlineData("/spasm.testing.v1.NoSuchService/Echo", "Service is unimplemented.")]
    [InlineData("/spasm.testing.v1.EchoService/NoSuchMethod", "Method is unimplemented.")]
    public async Task Unknown_service_or_method_is_unimplemented(string path, string message)
    {
        var response = await RawGrpc.SendAsync(fixture.Http, RawGrpc.Request(path, RawGrpc.Frame(new EchoRequest())));

        Assert.Equal(HttpStatusCode.OK, response.HttpStatus);
        Assert.True(response.IsTrailersOnly);
        Assert.Equal("12", response.Status);
        Assert.Equal(message, response.Message);
    }

    [Fact]
    public async Task Start_up_fails_when_an_rpc_has_no_implementation()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            GrpcTestServer.StartAsync(map: app => app.MapGrpcService<IncompleteEchoService>()));

        Assert.Contains("Collect", error.Message);
        Assert.Contains("Chat", error.Message);
        Assert.DoesNotContain("Task<EchoResponse> Echo(", error.Message);
    }

    /// <summary>Implements Echo and Expand but not Collect or Chat.</summary>
    private sealed class IncompleteEchoService : IGrpcService
    {
        public static Google.Protobuf.Reflection.ServiceDescriptor Descriptor => EchoReflection.Descriptor.Services[0];

        public Task<EchoResponse> Echo(EchoRequest request, ServerCallContext context) => Task.FromResult(new EchoResponse());

        public Task Expand(EchoRequest request, Grpc.Protocol.IServerStreamWriter<EchoResponse> responseStream, ServerCallContext context) => Task.CompletedTask;

        // Right name, wrong shape: must not count as the Collect implementation.
        public Task<EchoResponse> Collect(EchoRequest request, ServerCallContext context) => Task.FromResult(new EchoResponse());
    }
}
