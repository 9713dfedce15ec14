using System.Collections.Concurrent;
using System.Diagnostics;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Net.Client;
using SpasmPlatform.Contracts.Calling;

namespace SpasmPlatform.Grpc.Tests.Interop;

/// <summary>
/// Our client (Grpc.Net.Client on a channel from PlatformChannels, as every platform caller builds it) against python
/// grpcio's server (tests/interop/python/server.py, the same EchoService steering as the C# test service). Every call
/// carries a deadline, so a misbehaving exchange fails instead of hanging.
/// </summary>
public sealed class PythonServerInteropTests(PythonServerProcess server) : IClassFixture<PythonServerProcess>, IDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan EventWait = TimeSpan.FromSeconds(10);
    private readonly GrpcChannel _channel = PlatformChannels.Create(server.Address);

    private EchoService.EchoServiceClient Client => new(_channel);

    public void Dispose() => _channel.Dispose();

    [Fact]
    public async Task Unary_round_trips_message_and_payload()
    {
        var payload = ByteString.CopyFrom(Enumerable.Range(0, 1024).Select(i => (byte)i).ToArray());

        var reply = await Client.EchoAsync(new EchoRequest { Message = "hello from C#", Payload = payload }, Options());

        Assert.Equal("hello from C#", reply.Message);
        Assert.Equal(payload, reply.Payload);
        Assert.Equal(0, reply.Index);
    }

    [Fact]
    public async Task Three_MiB_round_trip_each_way()
    {
        var bytes = new byte[3 * 1024 * 1024];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(i * 7 % 251);
        }

        var payload = ByteString.CopyFrom(bytes);
        var reply = await Client.EchoAsync(new EchoRequest { Message = "large", Payload = payload }, Options());

        Assert.True(payload.Equals(reply.Payload), $"3 MiB payload came back as {reply.Payload.Length} bytes that differ");
    }

    [Fact]
    public async Task Server_streaming_delivers_every_message_in_order()
    {
        using (var call = Client.Expand(new EchoRequest { Message = "tick", Repeat = 5 }, Options()))
        {
            var replies = await ReadAllAsync(call.ResponseStream);
            Assert.Equal([0, 1, 2, 3, 4], replies.Select(r => r.Index));
            Assert.All(replies, r => Assert.Equal("tick", r.Message));
            Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        }

        using var many = Client.Expand(new EchoRequest { Message = "many", Repeat = 1000, Payload = ByteString.CopyFrom(new byte[1024]) }, Options());
        var indexes = (await ReadAllAsync(many.ResponseStream)).Select(r => r.Index).ToArray();
        Assert.Equal(Enumerable.Range(0, 1000), indexes);
    }

    [Fact]
    public async Task Client_streaming_sends_every_message()
    {
        string[] parts = ["alpha", "beta", "gamma", "delta"];
        using (var call = Client.Collect(Options()))
        {
            foreach (var part in parts)
            {
                await call.RequestStream.WriteAsync(new EchoRequest { Message = part, Payload = ByteString.CopyFromUtf8(part) });
            }

            await call.RequestStream.CompleteAsync();
            var reply = await call;
            Assert.Equal(string.Concat(parts), reply.Message);
            Assert.Equal(string.Concat(parts), reply.Payload.ToStringUtf8());
            Assert.Equal(parts.Length, reply.Index);
        }

        // No request at all: grpcio answers with an all-default message, a zero-length frame.
        using var empty = Client.Collect(Options());
        await empty.RequestStream.CompleteAsync();
        Assert.Equal(new EchoResponse(), await empty);
    }

    [Fact]
    public async Task Duplex_streaming_interleaves_requests_and_answers()
    {
        using var call = Client.Chat(Options());
        for (var i = 0; i < 5; i++)
        {
            // The next request is only written after the previous answer arrived.
            await call.RequestStream.WriteAsync(new EchoRequest { Message = $"turn-{i}" });
            Assert.True(await call.ResponseStream.MoveNext(), $"the stream ended before answering turn {i}");
            Assert.Equal($"turn-{i}", call.ResponseStream.Current.Message);
            Assert.Equal(i, call.ResponseStream.Current.Index);
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Invalid_argument_carries_bad_request_details()
    {
        const string text = "bad request: 100% wrong, ünïcode ✓";

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await Client.EchoAsync(new EchoRequest { Message = text, FailWithCode = 3 }, Options()));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(text, error.Status.Detail);
        var status = error.GetRpcStatus();
        Assert.NotNull(status);
        Assert.Equal(3, status.Code);
        Assert.Equal(text, status.Message);
        var badRequest = status.GetDetail<BadRequest>();
        Assert.NotNull(badRequest);
        Assert.Equal(
            [("message", "must not be empty"), ("repeat", "must be between 1 and 100")],
            badRequest.FieldViolations.Select(v => (v.Field, v.Description)));
    }

    [Fact]
    public async Task Failure_status_and_trailer_arrive_trailers_only_and_after_messages()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await Client.EchoAsync(new EchoRequest { Message = "no such thing", FailWithCode = (int)StatusCode.NotFound }, Options()));
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("no such thing", error.Status.Detail);
        Assert.Equal("requested", error.Trailers.GetValue("failure-reason"));
        Assert.Null(error.GetRpcStatus());

        using var call = Client.Expand(new EchoRequest { Message = "partial", Repeat = 2, FailWithCode = (int)StatusCode.FailedPrecondition }, Options());
        var received = 0;
        var streamError = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext())
            {
                received++;
            }
        });
        Assert.Equal(StatusCode.FailedPrecondition, streamError.StatusCode);
        Assert.Equal(2, received);
        Assert.Equal("requested", streamError.Trailers.GetValue("failure-reason"));
        Assert.Equal(StatusCode.FailedPrecondition, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Handler_exception_is_UNKNOWN_without_internals()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await Client.EchoAsync(new EchoRequest { Message = "boom", ThrowException = true }, Options()));

        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.DoesNotContain("hunter2", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deadline_is_sent_and_enforced()
    {
        var reply = await Client.EchoAsync(new EchoRequest { Message = "deadline" }, deadline: DateTime.UtcNow.AddSeconds(5));
        Assert.InRange(reply.DeadlineRemainingMs, 3000, 5500);

        reply = await Client.EchoAsync(new EchoRequest { Message = "no deadline" });
        Assert.Equal(-1, reply.DeadlineRemainingMs);

        var stopwatch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await Client.EchoAsync(new EchoRequest { Message = "slow", DelayMs = 5000 }, deadline: DateTime.UtcNow.AddMilliseconds(300)));
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3), $"DEADLINE_EXCEEDED took {stopwatch.Elapsed} for a 300 ms deadline");
    }

    [Fact]
    public async Task Cancellation_reaches_the_python_handler()
    {
        var message = $"wait-{Guid.NewGuid():N}";
        using var cancellation = new CancellationTokenSource();
        // No deadline: the python handler then can only see its call end through our cancellation.
        using var call = Client.Expand(new EchoRequest { Message = message, Repeat = 1, WaitForCancellation = true }, cancellationToken: cancellation.Token);
        Assert.True(await call.ResponseStream.MoveNext(), "no first message");
        Assert.True(await server.WaitForEventAsync($"waiting:{message}", EventWait), $"the handler never started waiting\n{server.Output}");

        await cancellation.CancelAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.True(await server.WaitForEventAsync($"cancelled:{message}", EventWait), $"grpcio never saw the cancellation\n{server.Output}");
    }

    [Fact]
    public async Task Metadata_round_trips_text_and_binary()
    {
        var binary = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var sent = new Metadata
        {
            { "x-text", "hello interop" },
            { "x-multi", "one" },
            { "x-multi", "two" },
            { "x-data-bin", binary },
        };

        using var call = Client.EchoAsync(new EchoRequest { Message = "metadata", EchoMetadata = true }, Options(sent));
        var headers = await call.ResponseHeadersAsync;
        await call;
        var trailers = call.GetTrailers();

        Assert.Equal("hello interop", headers.GetValue("x-text"));
        Assert.Equal(["one", "two"], ValueList(headers, "x-multi"));
        Assert.Equal(binary, headers.GetValueBytes("x-data-bin"));
        Assert.Equal("hello interop", trailers.GetValue("x-text-trailer"));
        Assert.Equal(["one", "two"], ValueList(trailers, "x-multi-trailer"));
        Assert.Equal(binary, trailers.GetValueBytes("x-data-bin"));
    }

    [Fact]
    public async Task Empty_binary_metadata_round_trips()
    {
        var sent = new Metadata { { "x-empty-bin", Array.Empty<byte>() }, { "x-marker", "present" } };

        using var call = Client.EchoAsync(new EchoRequest { Message = "empty", EchoMetadata = true }, Options(sent));
        var headers = await call.ResponseHeadersAsync;
        await call;

        Assert.Equal("present", headers.GetValue("x-marker"));
        Assert.Equal([], headers.GetValueBytes("x-empty-bin") ?? throw new Xunit.Sdk.XunitException("x-empty-bin missing from the headers"));
        Assert.Equal([], call.GetTrailers().GetValueBytes("x-empty-bin") ?? throw new Xunit.Sdk.XunitException("x-empty-bin missing from the trailers"));
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    public async Task Compression_both_ways(string algorithm)
    {
        using var recorder = new EncodingRecorder();
        using var channel = PlatformChannels.Create(server.Address, recorder);
        var client = new EchoService.EchoServiceClient(channel);
        var payload = ByteString.CopyFromUtf8(string.Concat(Enumerable.Repeat("compress me, ", 8192)));
        var headers = new Metadata
        {
            // grpc-dotnet's per-call request compression: the key is consumed by the client and never sent.
            { "grpc-internal-encoding-request", algorithm },
            // grpcio compresses its answers when the request asks it to (server.py's x-response-compression).
            { "x-response-compression", algorithm },
        };

        var reply = await client.EchoAsync(new EchoRequest { Message = algorithm, Payload = payload }, Options(headers));
        Assert.True(payload.Equals(reply.Payload), "payload did not round-trip");

        using var collect = client.Collect(Options(headers));
        for (var i = 0; i < 3; i++)
        {
            await collect.RequestStream.WriteAsync(new EchoRequest { Message = $"part-{i}", Payload = payload });
        }

        await collect.RequestStream.CompleteAsync();
        Assert.Equal(3, (await collect).Index);

        var seen = recorder.Exchanges.ToArray();
        Assert.Equal(2, seen.Length);
        Assert.All(seen, exchange =>
        {
            Assert.Equal(algorithm, exchange.RequestEncoding);
            Assert.Equal(algorithm, exchange.ResponseEncoding);
        });
    }

    [Fact]
    public async Task Unknown_method_is_UNIMPLEMENTED()
    {
        var marshaller = Marshallers.Create<EchoRequest>(m => m.ToByteArray(), EchoRequest.Parser.ParseFrom);
        var missing = new Method<EchoRequest, EchoRequest>(MethodType.Unary, "spasm.testing.v1.EchoService", "NoSuchMethod", marshaller, marshaller);

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await _channel.CreateCallInvoker().AsyncUnaryCall(missing, null, Options(), new EchoRequest { Message = "x" }));

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }

    [Fact]
    public async Task Message_size_limits_are_enforced_on_both_sides()
    {
        // grpcio's server refuses requests over its 4 MiB default...
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await Client.EchoAsync(new EchoRequest { Message = "huge", Payload = ByteString.CopyFrom(new byte[5 * 1024 * 1024]) }, Options()));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal("after", (await Client.EchoAsync(new EchoRequest { Message = "after" }, Options())).Message);

        // ...and our client refuses answers over its own limit.
        using var small = PlatformChannels.Create(server.Address, maxReceiveMessageSize: 1024 * 1024);
        error = await Assert.ThrowsAsync<RpcException>(async () =>
            await new EchoService.EchoServiceClient(small).EchoAsync(new EchoRequest { Message = "big answer", Payload = ByteString.CopyFrom(new byte[2 * 1024 * 1024]) }, Options()));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task Concurrent_calls_share_one_channel()
    {
        var unary = Enumerable.Range(0, 50)
            .Select(i => Client.EchoAsync(new EchoRequest { Message = $"u-{i}", DelayMs = 50 }, Options()).ResponseAsync)
            .ToArray();
        var streams = Enumerable.Range(0, 5).Select(async i =>
        {
            using var call = Client.Expand(new EchoRequest { Message = $"s-{i}", Repeat = 20 }, Options());
            return (i, await ReadAllAsync(call.ResponseStream));
        }).ToArray();

        foreach (var (i, replies) in await Task.WhenAll(streams))
        {
            Assert.Equal(20, replies.Count);
            Assert.All(replies, r => Assert.Equal($"s-{i}", r.Message));
        }

        var answers = await Task.WhenAll(unary);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"u-{i}"), answers.Select(a => a.Message));
    }

    /// <summary>
    /// A repeated text key as a list. HttpClient writes repeated request headers as one HTTP/2 field joined by
    /// ", " (HTTP allows it), so grpcio sees and echoes one entry "one, two"; the list of values is what survives.
    /// </summary>
    private static string[] ValueList(Metadata metadata, string key) =>
        string.Join(',', metadata.GetAll(key).Select(e => e.Value)).Split(',', StringSplitOptions.TrimEntries);

    private static CallOptions Options(Metadata? headers = null) => new(headers, DateTime.UtcNow + CallTimeout);

    private static async Task<List<EchoResponse>> ReadAllAsync(IAsyncStreamReader<EchoResponse> stream)
    {
        var replies = new List<EchoResponse>();
        while (await stream.MoveNext())
        {
            replies.Add(stream.Current);
        }

        return replies;
    }

    /// <summary>Records the grpc-encoding of each request our client sends and of each response it gets.</summary>
    private sealed class EncodingRecorder() : DelegatingHandler(PlatformChannels.CreateHandler())
    {
        public ConcurrentQueue<(string RequestEncoding, string ResponseEncoding)> Exchanges { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            Exchanges.Enqueue((Header(request.Headers), Header(response.Headers)));
            return response;
        }

        private static string Header(System.Net.Http.Headers.HttpHeaders headers) =>
            headers.NonValidated.TryGetValues("grpc-encoding", out var values) ? values.ToString() : string.Empty;
    }
}
