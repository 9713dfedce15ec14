using SpasmPlatform.Grpc.Tests.Support;

namespace SpasmPlatform.Grpc.Tests.Interop;

/// <summary>
/// What the interop scenario metadata_empty_bin checks, pinned on the wire without an external peer: grpcio and
/// grpc-js send zero-length binary metadata as an empty header value. Our server reads it, and the call goes on; ASP.NET
/// Core does not write an empty header value, so the echo leaves that entry out rather than sending it mangled.
/// </summary>
public sealed class EmptyMetadataValueTests
{
    [Fact]
    public async Task Empty_binary_metadata_is_accepted_and_not_echoed()
    {
        await using var server = await GrpcTestServer.StartAsync();
        using var client = RawGrpc.CreateClient(server.Address);
        var request = RawGrpc.Request("/spasm.testing.v1.EchoService/Echo", RawGrpc.Frame(new EchoRequest { Message = "empty", EchoMetadata = true }));
        request.Headers.TryAddWithoutValidation("x-empty-bin", string.Empty);
        request.Headers.TryAddWithoutValidation("x-marker", "present");

        var response = await RawGrpc.SendAsync(client, request);

        Assert.Equal("0", response.Status);
        Assert.Equal("empty", response.Single(EchoResponse.Parser).Message);
        Assert.Equal("present", RawResponse.Header(response.Headers, "x-marker"));
        Assert.Equal("present", RawResponse.Header(response.Trailers, "x-marker-trailer"));
        Assert.Contains("metadata:x-empty-bin:0", server.Probe.Events);
        Assert.Null(RawResponse.Header(response.Headers, "x-empty-bin"));
        Assert.Null(RawResponse.Header(response.Trailers, "x-empty-bin"));
    }
}
