using SpasmPlatform.Grpc.Tests.Support;
using SpasmPlatform.Testing.V1;

namespace SpasmPlatform.Grpc.Tests.Interop;

/// <summary>
/// What the interop scenario metadata_empty_bin found, pinned on the wire without an external peer: grpcio and
/// grpc-js send zero-length binary metadata as an empty header value and hand it back to the application, so
/// our server must keep it when it writes response headers and trailers.
/// </summary>
public sealed class EmptyMetadataValueTests
{
    [Fact]
    public async Task Empty_binary_metadata_is_echoed_in_headers_and_trailers()
    {
        await using var server = await GrpcTestServer.StartAsync();
        using var client = RawGrpc.CreateClient(server.Address);
        var request = RawGrpc.Request("/spasm.testing.v1.EchoService/Echo", RawGrpc.Frame(new EchoRequest { Message = "empty", EchoMetadata = true }));
        request.Headers.TryAddWithoutValidation("x-empty-bin", string.Empty);
        request.Headers.TryAddWithoutValidation("x-marker", "present");

        var response = await RawGrpc.SendAsync(client, request);

        Assert.Equal("0", response.Status);
        Assert.Equal("present", RawResponse.Header(response.Headers, "x-marker"));
        Assert.True(RawResponse.Header(response.Headers, "x-empty-bin") == string.Empty, "x-empty-bin is missing from the response headers");
        Assert.True(RawResponse.Header(response.Trailers, "x-empty-bin") == string.Empty, "x-empty-bin is missing from the trailers");
    }
}
