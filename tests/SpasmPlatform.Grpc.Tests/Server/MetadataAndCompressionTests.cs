using Google.Protobuf;
using SpasmPlatform.Grpc.Tests.Support;

namespace SpasmPlatform.Grpc.Tests.Server;

public sealed class MetadataAndCompressionTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string Echo = "/spasm.testing.v1.EchoService/Echo";

    [Fact]
    public async Task Text_and_binary_metadata_reach_the_handler_and_come_back()
    {
        var binary = new byte[] { 0, 1, 2, 250, 255 };
        var request = RawGrpc.Request(Echo, RawGrpc.Frame(new EchoRequest { Message = "md", EchoMetadata = true }));
        request.Headers.TryAddWithoutValidation("x-clinic", "clinic-7");
        // Unpadded base64 must be accepted, as the spec allows.
        request.Headers.TryAddWithoutValidation("x-token-bin", Convert.ToBase64String(binary).TrimEnd('='));

        var response = await RawGrpc.SendAsync(fixture.Http, request);

        Assert.Equal("0", response.Status);
        Assert.Equal("clinic-7", RawResponse.Header(response.Headers, "x-clinic"));
        Assert.Equal(binary, Convert.FromBase64String(RawResponse.Header(response.Headers, "x-token-bin")!));
        Assert.Equal("clinic-7", RawResponse.Header(response.Trailers, "x-clinic-trailer"));
        Assert.Equal(binary, Convert.FromBase64String(RawResponse.Header(response.Trailers, "x-token-bin")!));
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    public async Task Compressed_request_is_decompressed(string algorithm)
    {
        var request = RawGrpc.Request(Echo, RawGrpc.Frame(new EchoRequest { Message = "squeezed", Payload = ByteString.CopyFrom(new byte[10_000]) }, algorithm));
        request.Headers.TryAddWithoutValidation("grpc-encoding", algorithm);

        var response = await RawGrpc.SendAsync(fixture.Http, request);

        Assert.Equal("0", response.Status);
        Assert.Equal("squeezed", response.Single(EchoResponse.Parser).Message);
    }

    [Fact]
    public async Task Compressed_message_without_an_encoding_is_internal()
    {
        var response = await RawGrpc.SendAsync(fixture.Http, RawGrpc.Request(Echo, RawGrpc.Frame(new EchoRequest { Message = "x" }, "gzip")));

        Assert.Equal("13", response.Status);
        Assert.Equal("Request did not include grpc-encoding value with compressed message.", Uri.UnescapeDataString(response.Message!));
    }

    [Fact]
    public async Task Compressed_message_in_an_unsupported_encoding_is_unimplemented_and_lists_what_is_accepted()
    {
        var request = RawGrpc.Request(Echo, RawGrpc.Frame(new EchoRequest { Message = "x" }, "gzip"));
        request.Headers.TryAddWithoutValidation("grpc-encoding", "snappy");

        var response = await RawGrpc.SendAsync(fixture.Http, request);

        Assert.Equal("12", response.Status);
        Assert.True(response.IsTrailersOnly);
        var accepted = RawResponse.Header(response.Headers, "grpc-accept-encoding")!.Split(',', StringSplitOptions.TrimEntries);
        Assert.Contains("gzip", accepted);
        Assert.DoesNotContain("snappy", accepted);
    }

    // grpc-dotnet looks at grpc-encoding only for a message whose compressed flag is set, as the compression spec
    // allows: an uncompressed message is readable whatever encoding the call names.
    [Fact]
    public async Task Uncompressed_message_is_read_whatever_encoding_the_call_names()
    {
        var request = RawGrpc.Request(Echo, RawGrpc.Frame(new EchoRequest { Message = "plain" }));
        request.Headers.TryAddWithoutValidation("grpc-encoding", "snappy");

        var response = await RawGrpc.SendAsync(fixture.Http, request);

        Assert.Equal("0", response.Status);
        Assert.Equal("plain", response.Single(EchoResponse.Parser).Message);
    }

    [Fact]
    public async Task Response_is_gzip_compressed_when_configured_and_accepted()
    {
        await using var server = await GrpcTestServer.StartAsync(o => o.ResponseCompressionAlgorithm = "gzip");
        using var http = RawGrpc.CreateClient(server.Address);
        var request = RawGrpc.Request(Echo, RawGrpc.Frame(new EchoRequest { Message = "zip me", Payload = ByteString.CopyFrom(new byte[5000]) }));
        request.Headers.TryAddWithoutValidation("grpc-accept-encoding", "identity,gzip");

        var response = await RawGrpc.SendAsync(http, request);

        Assert.Equal("gzip", RawResponse.Header(response.Headers, "grpc-encoding"));
        var (compressed, payload) = Assert.Single(response.Messages);
        Assert.True(compressed);
        Assert.True(payload.Length < 5000);
        using var inflated = new System.IO.Compression.GZipStream(new MemoryStream(payload), System.IO.Compression.CompressionMode.Decompress);
        Assert.Equal("zip me", EchoResponse.Parser.ParseFrom(inflated).Message);
    }

    [Fact]
    public async Task Response_is_not_compressed_for_a_client_that_does_not_accept_it()
    {
        await using var server = await GrpcTestServer.StartAsync(o => o.ResponseCompressionAlgorithm = "gzip");
        using var http = RawGrpc.CreateClient(server.Address);

        var response = await RawGrpc.SendAsync(http, RawGrpc.Request(Echo, RawGrpc.Frame(new EchoRequest { Message = "plain" })));

        Assert.Null(RawResponse.Header(response.Headers, "grpc-encoding"));
        Assert.Equal("plain", response.Single(EchoResponse.Parser).Message);
    }

    [Fact]
    public async Task Compressed_request_that_inflates_past_the_limit_is_resource_exhausted()
    {
        await using var server = await GrpcTestServer.StartAsync(o => o.MaxReceiveMessageSize = 64 * 1024);
        using var http = RawGrpc.CreateClient(server.Address);
        var bomb = new EchoRequest { Payload = ByteString.CopyFrom(new byte[1024 * 1024]) };
        var request = RawGrpc.Request(Echo, RawGrpc.Frame(bomb, "gzip"));
        request.Headers.TryAddWithoutValidation("grpc-encoding", "gzip");

        var response = await RawGrpc.SendAsync(http, request);

        Assert.Equal("8", response.Status);
    }
}
