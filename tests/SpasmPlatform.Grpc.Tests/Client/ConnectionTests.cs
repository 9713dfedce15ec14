using System.Collections.Concurrent;
using SpasmPlatform.Grpc.Client;
using SpasmPlatform.Testing.V1;

namespace SpasmPlatform.Grpc.Tests.Client;

public sealed class ConnectionTests
{
    [Fact]
    public async Task Calls_beyond_a_connections_stream_limit_open_more_connections()
    {
        const int Calls = 8;
        var connections = new ConcurrentBag<string>();
        var arrived = 0;
        var allArrived = new Signal<bool>();
        await using var server = await WireServer.StartAsync(
            async context =>
            {
                connections.Add(context.Connection.Id);
                if (Interlocked.Increment(ref arrived) == Calls)
                {
                    allArrived.Set(true);
                }

                // Every call is held open until all are in flight at once, which two streams per connection
                // allow only if the client spreads them over several connections.
                await allArrived.WaitAsync();
                await GrpcWire.RespondAsync(context, new EchoResponse());
            },
            kestrel => kestrel.Limits.Http2.MaxStreamsPerConnection = 2);
        using var channel = server.CreateChannel();
        var invoker = channel.CreateCallInvoker();

        await Task.WhenAll(Enumerable.Range(0, Calls).Select(_ => invoker.AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest()).ResponseAsync));

        Assert.True(connections.Distinct().Count() > 1, $"All {Calls} calls used {connections.Distinct().Count()} connection(s).");
    }

    [Fact]
    public void Default_handler_is_tuned_for_long_lived_http2_channels()
    {
        using var handler = GrpcChannel.CreateHttpHandler();

        Assert.True(handler.EnableMultipleHttp2Connections);
        Assert.True(handler.KeepAlivePingDelay > TimeSpan.Zero && handler.KeepAlivePingDelay != Timeout.InfiniteTimeSpan);
        Assert.True(handler.PooledConnectionIdleTimeout >= TimeSpan.FromMinutes(1));
        Assert.False(handler.AllowAutoRedirect);
    }

    [Fact]
    public async Task Channel_uses_a_given_handler_and_disposes_it_only_when_asked()
    {
        await using var server = await WireServer.StartAsync(context => GrpcWire.RespondAsync(context, new EchoResponse { Message = "via handler" }));
        var handler = new CountingHandler();

        using (var channel = server.CreateChannel(new GrpcChannelOptions { HttpHandler = handler }))
        {
            Assert.Equal("via handler", (await channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest())).Message);
        }

        Assert.Equal(1, handler.Requests);
        Assert.False(handler.Disposed);
        using (server.CreateChannel(new GrpcChannelOptions { HttpHandler = handler, DisposeHttpHandler = true }))
        {
        }

        Assert.True(handler.Disposed);
    }

    private sealed class CountingHandler() : DelegatingHandler(new SocketsHttpHandler())
    {
        public int Requests { get; private set; }

        public bool Disposed { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            return base.SendAsync(request, cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
