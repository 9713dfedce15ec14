using System.Net;
using SpasmPlatform.Grpc.Tests.Support;

namespace SpasmPlatform.Grpc.Tests.Server;

public sealed class CallShapeTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string Service = "/spasm.testing.v1.EchoService/";

    [Fact]
    public async Task Unary_returns_one_message_then_ok_trailers()
    {
        var response = await RawGrpc.SendAsync(fixture.Http, RawGrpc.Request(Service + "Echo", RawGrpc.Frame(new EchoRequest { Message = "hello" })));

        Assert.Equal(HttpStatusCode.OK, response.HttpStatus);
        Assert.Equal("application/grpc", response.ContentType);
        Assert.False(response.IsTrailersOnly);
        Assert.Equal("hello", response.Single(EchoResponse.Parser).Message);
        Assert.Equal("0", RawResponse.Header(response.Trailers, "grpc-status"));
    }

    [Fact]
    public async Task Server_streaming_sends_every_message_in_order()
    {
        var response = await RawGrpc.SendAsync(fixture.Http, RawGrpc.Request(Service + "Expand", RawGrpc.Frame(new EchoRequest { Message = "m", Repeat = 5 })));

        Assert.Equal("0", response.Status);
        Assert.Equal([0, 1, 2, 3, 4], response.Messages.Select(m => EchoResponse.Parser.ParseFrom(m.Payload).Index));
    }

    [Fact]
    public async Task Client_streaming_reads_until_the_client_half_closes()
    {
        var response = await RawGrpc.SendAsync(fixture.Http, RawGrpc.Request(
            Service + "Collect",
            RawGrpc.Frame(new EchoRequest { Message = "a" }),
            RawGrpc.Frame(new EchoRequest { Message = "b" }),
            RawGrpc.Frame(new EchoRequest { Message = "c" })));

        var reply = response.Single(EchoResponse.Parser);
        Assert.Equal("abc", reply.Message);
        Assert.Equal(3, reply.Index);
    }

    [Fact]
    public async Task Client_streaming_with_no_messages_is_valid()
    {
        var response = await RawGrpc.SendAsync(fixture.Http, RawGrpc.Request(Service + "Collect", new ChunkedContent([])));

        Assert.Equal("0", response.Status);
        Assert.Equal(0, response.Single(EchoResponse.Parser).Index);
    }

    [Fact]
    public async Task Duplex_answers_each_message_before_the_client_finishes()
    {
        var content = new StreamingContent();
        var sending = fixture.Http.SendAsync(RawGrpc.Request(Service + "Chat", content), HttpCompletionOption.ResponseHeadersRead);
        System.IO.Pipelines.PipeReader? body = null;
        HttpResponseMessage? response = null;
        for (var i = 0; i < 3; i++)
        {
            content.Write(RawGrpc.Frame(new EchoRequest { Message = $"ping{i}" }));
            response ??= await sending.WaitAsync(TimeSpan.FromSeconds(10));
            body ??= System.IO.Pipelines.PipeReader.Create(await response.Content.ReadAsStreamAsync());
            var reply = await RawGrpc.ReadMessageAsync(body, EchoResponse.Parser);
            Assert.Equal($"ping{i}", reply!.Message);
            Assert.Equal(i, reply.Index);
        }

        content.Complete();
        Assert.Null(await RawGrpc.ReadMessageAsync(body!, EchoResponse.Parser));
        Assert.Equal("0", RawResponse.Header(response!.TrailingHeaders, "grpc-status"));
        response.Dispose();
    }

    [Fact]
    public async Task Duplex_request_can_start_before_response_headers()
    {
        // SendAsync only returns once the server sends headers; the server sends them with the first message,
        // so the request stream must already be flowing: writing first proves full duplex.
        var content = new StreamingContent();
        content.Write(RawGrpc.Frame(new EchoRequest { Message = "first" }));
        using var response = await fixture.Http.SendAsync(RawGrpc.Request(Service + "Chat", content), HttpCompletionOption.ResponseHeadersRead)
            .WaitAsync(TimeSpan.FromSeconds(10));
        content.Complete();
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal("first", EchoResponse.Parser.ParseFrom(RawGrpc.Unframe(body).Single().Payload).Message);
    }
}
