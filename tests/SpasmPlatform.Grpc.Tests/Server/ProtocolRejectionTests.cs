using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using SpasmPlatform.Grpc.Tests.Support;

namespace SpasmPlatform.Grpc.Tests.Server;

public sealed class ProtocolRejectionTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string Echo = "/spasm.testing.v1.EchoService/Echo";

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/plain")]
    [InlineData("application/grpc-web")]
    public async Task Wrong_content_type_is_415(string contentType)
    {
        var request = RawGrpc.Request(Echo, new ByteArrayContent(RawGrpc.Frame(new EchoRequest())), contentType);

        var response = await RawGrpc.SendAsync(fixture.Http, request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.HttpStatus);
        Assert.Empty(response.Messages);
    }

    [Fact]
    public async Task Grpc_proto_content_type_is_accepted()
    {
        var request = RawGrpc.Request(Echo, new ByteArrayContent(RawGrpc.Frame(new EchoRequest { Message = "p" })), "application/grpc+proto");

        var response = await RawGrpc.SendAsync(fixture.Http, request);

        Assert.Equal("0", response.Status);
        Assert.Equal("p", response.Single(EchoResponse.Parser).Message);
    }

    // grpc-dotnet takes every application/grpc+<subtype> for a gRPC call and reads the body with the method's own
    // (protobuf) marshaller: a JSON body does not decode, and is refused as an undecodable message (UNKNOWN, as in
    // FramingTests), never parsed as JSON.
    [Fact]
    public async Task Grpc_json_content_type_is_read_as_protobuf()
    {
        var proto = RawGrpc.Request(Echo, new ByteArrayContent(RawGrpc.Frame(new EchoRequest { Message = "j" })), "application/grpc+json");
        var json = RawGrpc.Request(Echo, new ByteArrayContent(RawGrpc.FrameBytes("{\"message\":\"j\"}"u8.ToArray())), "application/grpc+json");

        var protoResponse = await RawGrpc.SendAsync(fixture.Http, proto);
        var jsonResponse = await RawGrpc.SendAsync(fixture.Http, json);

        Assert.Equal("application/grpc", protoResponse.ContentType);
        Assert.Equal("j", protoResponse.Single(EchoResponse.Parser).Message);
        Assert.Equal("2", jsonResponse.Status);
        Assert.Empty(jsonResponse.Messages);
    }

    [Fact]
    public async Task Http1_request_is_426()
    {
        await using var server = await GrpcTestServer.StartAsync(protocols: HttpProtocols.Http1);
        using var http = new HttpClient { BaseAddress = server.Address };
        var content = new ByteArrayContent(RawGrpc.Frame(new EchoRequest()));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");

        using var response = await http.PostAsync(Echo, content);

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
        Assert.Equal(message, Uri.UnescapeDataString(response.Message!));
    }

    // A service derived from the generated base has every RPC; the ones it does not override answer UNIMPLEMENTED,
    // so a half-finished service starts and says per call what it lacks.
    [Fact]
    public async Task An_rpc_the_service_does_not_implement_is_unimplemented_and_the_others_work()
    {
        await using var server = await GrpcTestServer.StartAsync(map: app => app.MapGrpcService<EchoOnlyService>());
        using var http = RawGrpc.CreateClient(server.Address);

        var echo = await RawGrpc.SendAsync(http, RawGrpc.Request(Echo, RawGrpc.Frame(new EchoRequest { Message = "here" })));
        var collect = await RawGrpc.SendAsync(http, RawGrpc.Request("/spasm.testing.v1.EchoService/Collect", RawGrpc.Frame(new EchoRequest())));

        Assert.Equal("here", echo.Single(EchoResponse.Parser).Message);
        Assert.Equal("12", collect.Status);
        Assert.Empty(collect.Messages);
    }

    /// <summary>Implements Echo only.</summary>
    private sealed class EchoOnlyService : EchoService.EchoServiceBase
    {
        public override Task<EchoResponse> Echo(EchoRequest request, ServerCallContext context) => Task.FromResult(new EchoResponse { Message = request.Message });
    }
}
