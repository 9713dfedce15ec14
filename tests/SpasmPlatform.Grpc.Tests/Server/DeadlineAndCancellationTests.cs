using System.Diagnostics;
using SpasmPlatform.Grpc.Tests.Support;
using SpasmPlatform.Testing.V1;

namespace SpasmPlatform.Grpc.Tests.Server;

public sealed class DeadlineAndCancellationTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string Echo = "/spasm.testing.v1.EchoService/Echo";

    private static HttpRequestMessage WithTimeout(HttpRequestMessage request, string timeout)
    {
        request.Headers.TryAddWithoutValidation("grpc-timeout", timeout);
        return request;
    }

    [Theory]
    [InlineData("2H", 2 * 3600 * 1000)]
    [InlineData("3M", 3 * 60 * 1000)]
    [InlineData("40S", 40 * 1000)]
    [InlineData("25000m", 25000)]
    [InlineData("30000000u", 30000)]
    [InlineData("90000000n", 90)]
    public async Task Every_timeout_unit_sets_the_deadline(string header, long expectedMs)
    {
        var response = await RawGrpc.SendAsync(fixture.Http, WithTimeout(RawGrpc.Request(Echo, RawGrpc.Frame(new EchoRequest { Message = "t" })), header));

        var remaining = response.Single(EchoResponse.Parser).DeadlineRemainingMs;
        Assert.InRange(remaining, expectedMs - 5000, expectedMs);
    }

    [Fact]
    public async Task No_timeout_means_no_deadline()
    {
        var response = await RawGrpc.SendAsync(fixture.Http, RawGrpc.Request(Echo, RawGrpc.Frame(new EchoRequest { Message = "t" })));

        Assert.Equal(-1, response.Single(EchoResponse.Parser).DeadlineRemainingMs);
    }

    [Fact]
    public async Task Malformed_timeout_is_ignored_as_grpc_dotnet_does()
    {
        var response = await RawGrpc.SendAsync(fixture.Http, WithTimeout(RawGrpc.Request(Echo, RawGrpc.Frame(new EchoRequest { Message = "t" })), "123456789S"));

        Assert.Equal("0", response.Status);
        Assert.Equal(-1, response.Single(EchoResponse.Parser).DeadlineRemainingMs);
    }

    [Fact]
    public async Task Server_ends_the_call_with_deadline_exceeded_even_if_the_handler_ignores_its_token()
    {
        var watch = Stopwatch.StartNew();
        var response = await RawGrpc.SendAsync(fixture.Http, WithTimeout(RawGrpc.Request(Echo, RawGrpc.Frame(new EchoRequest { Message = "slow", DelayMs = 3000 })), "200m"));
        watch.Stop();

        Assert.Equal("4", response.Status);
        Assert.Equal("Deadline Exceeded", response.Message);
        Assert.Empty(response.Messages);
        // The answer must come from the deadline, not from the handler finishing after 3 s.
        Assert.True(watch.Elapsed < TimeSpan.FromMilliseconds(2500), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Deadline_fires_the_handler_cancellation_token()
    {
        var marker = Guid.NewGuid().ToString();
        var response = await RawGrpc.SendAsync(fixture.Http, WithTimeout(RawGrpc.Request(Echo, RawGrpc.Frame(new EchoRequest { Message = marker, WaitForCancellation = true })), "150m"));

        Assert.Equal("4", response.Status);
        Assert.True(await fixture.Server.Probe.WaitForAsync("cancelled", TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Client_reset_stream_cancels_the_handler()
    {
        await using var server = await GrpcTestServer.StartAsync();
        using var http = RawGrpc.CreateClient(server.Address);
        using var cts = new CancellationTokenSource();
        var call = http.SendAsync(RawGrpc.Request(Echo, RawGrpc.Frame(new EchoRequest { Message = "wait", WaitForCancellation = true })), HttpCompletionOption.ResponseHeadersRead, cts.Token);

        Assert.True(await server.Probe.WaitForAsync("waiting", TimeSpan.FromSeconds(10)));
        Assert.DoesNotContain("cancelled", server.Probe.Events);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.True(await server.Probe.WaitForAsync("cancelled", TimeSpan.FromSeconds(10)));
    }

    // Found by the fuzzer (tests/fuzz/corpus/spasm.knowledge.v1.KnowledgeService/ListConditions): a deadline that passed
    // while a response flush was in progress cancelled the flush, and Kestrel reset the stream (INTERNAL_ERROR): the
    // client got no status at all. Each call must end with a status: DEADLINE_EXCEEDED, or OK if the handler won.
    [Fact]
    public async Task A_deadline_passing_mid_write_still_ends_the_call_with_a_status()
    {
        var framed = RawGrpc.Frame(new EchoRequest { Message = "slow", Repeat = 200, Payload = Google.Protobuf.ByteString.CopyFrom(new byte[16 * 1024]) });
        for (var i = 0; i < 40; i++)
        {
            var request = WithTimeout(RawGrpc.Request("/spasm.testing.v1.EchoService/Expand", new SlowChunks([framed[..5], framed[5..]], TimeSpan.FromMilliseconds(i % 3))), $"{1 + (i % 8)}m");

            var response = await RawGrpc.SendAsync(fixture.Http, request);

            Assert.Contains(response.Status, new[] { "4", "0" });
        }
    }

    private sealed class SlowChunks(byte[][] chunks, TimeSpan pause) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            foreach (var chunk in chunks)
            {
                await stream.WriteAsync(chunk);
                await stream.FlushAsync();
                await Task.Delay(pause);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
