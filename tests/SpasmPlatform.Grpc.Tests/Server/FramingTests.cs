using Google.Protobuf;
using SpasmPlatform.Grpc.Tests.Support;

namespace SpasmPlatform.Grpc.Tests.Server;

public sealed class FramingTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string Echo = "/spasm.testing.v1.EchoService/Echo";
    private const string Collect = "/spasm.testing.v1.EchoService/Collect";

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public async Task A_message_split_across_data_frames_at_any_byte_is_reassembled(int chunkSize)
    {
        var framed = RawGrpc.Frame(new EchoRequest { Message = "split across frames", Payload = ByteString.CopyFrom(new byte[100]) });
        var chunks = framed.Chunk(chunkSize).ToArray();

        var response = await RawGrpc.SendAsync(fixture.Http, RawGrpc.Request(Echo, chunks));

        Assert.Equal("0", response.Status);
        Assert.Equal("split across frames", response.Single(EchoResponse.Parser).Message);
    }

    [Fact]
    public async Task Several_messages_in_one_data_frame_are_all_read()
    {
        var together = RawGrpc.Frame(new EchoRequest { Message = "x" })
            .Concat(RawGrpc.Frame(new EchoRequest { Message = "y" }))
            .Concat(RawGrpc.Frame(new EchoRequest { Message = "z" }).Take(3))
            .ToArray();
        var rest = RawGrpc.Frame(new EchoRequest { Message = "z" }).Skip(3).ToArray();

        var response = await RawGrpc.SendAsync(fixture.Http, RawGrpc.Request(Collect, together, rest));

        Assert.Equal("xyz", response.Single(EchoResponse.Parser).Message);
    }

    [Fact]
    public async Task Message_over_4_MiB_is_resource_exhausted_without_reading_it_all()
    {
        var payload = new byte[(4 * 1024 * 1024) + 1];
        var response = await RawGrpc.SendAsync(fixture.Http, RawGrpc.Request(Echo, RawGrpc.Frame(new EchoRequest { Payload = ByteString.CopyFrom(payload) })));

        Assert.Equal("8", response.Status);
        Assert.Equal("Received message exceeds the maximum configured message size.", Uri.UnescapeDataString(response.Message!));
        Assert.True(response.IsTrailersOnly);
    }

    [Fact]
    public async Task Message_just_under_4_MiB_is_accepted()
    {
        var payload = new byte[(4 * 1024 * 1024) - 16];
        var response = await RawGrpc.SendAsync(fixture.Http, RawGrpc.Request(Echo, RawGrpc.Frame(new EchoRequest { Payload = ByteString.CopyFrom(payload) })));

        Assert.Equal("0", response.Status);
        Assert.Equal(payload.Length, response.Single(EchoResponse.Parser).Payload.Length);
    }

    [Fact]
    public async Task Truncated_message_is_internal()
    {
        var framed = RawGrpc.Frame(new EchoRequest { Message = "cut short" });
        var response = await RawGrpc.SendAsync(fixture.Http, RawGrpc.Request(Echo, framed[..^3]));

        Assert.Equal("13", response.Status);
        Assert.Equal("Incomplete message.", response.Message);
    }

    [Fact]
    public async Task Truncated_header_is_internal()
    {
        var response = await RawGrpc.SendAsync(fixture.Http, RawGrpc.Request(Echo, new byte[] { 0, 0, 0 }));

        Assert.Equal("13", response.Status);
        Assert.Equal("Incomplete message.", response.Message);
    }

    [Fact]
    public async Task Second_message_on_a_unary_call_is_internal()
    {
        var response = await RawGrpc.SendAsync(fixture.Http, RawGrpc.Request(
            Echo, RawGrpc.Frame(new EchoRequest { Message = "one" }), RawGrpc.Frame(new EchoRequest { Message = "two" })));

        Assert.Equal("13", response.Status);
        Assert.Equal("Additional data after the message received.", response.Message);
    }

    [Fact]
    public async Task Unary_call_without_a_message_is_internal()
    {
        var response = await RawGrpc.SendAsync(fixture.Http, RawGrpc.Request(Echo, new ChunkedContent([])));

        Assert.Equal("13", response.Status);
        Assert.Equal("Incomplete message.", response.Message);
    }

    // grpc-dotnet reads the message outside the handler but ends the call as it ends a handler's exception: UNKNOWN,
    // with a generic message that quotes nothing of what was sent, and the parse error in the server log.
    [Fact]
    public async Task Bytes_that_are_not_the_request_message_are_unknown_without_details()
    {
        // Field 1 declared as a 10-byte string but only 2 bytes follow: not a valid EchoRequest.
        var response = await RawGrpc.SendAsync(fixture.Http, RawGrpc.Request(Echo, RawGrpc.FrameBytes([0x0A, 0x0A, 0x41, 0x42])));

        Assert.Equal("2", response.Status);
        Assert.Equal("Exception was thrown by handler.", Uri.UnescapeDataString(response.Message!));
        Assert.Empty(response.Messages);
        Assert.Contains(fixture.Server.Logs.Entries, e => e.Exception is Google.Protobuf.InvalidProtocolBufferException);
    }

    [Fact]
    public async Task Invalid_compressed_flag_is_unknown_without_details()
    {
        var framed = RawGrpc.Frame(new EchoRequest { Message = "x" });
        framed[0] = 7;
        var response = await RawGrpc.SendAsync(fixture.Http, RawGrpc.Request(Echo, framed));

        Assert.Equal("2", response.Status);
        Assert.Equal("Exception was thrown by handler.", Uri.UnescapeDataString(response.Message!));
        Assert.Contains(fixture.Server.Logs.Entries, e => e.Exception is InvalidDataException);
    }
}
