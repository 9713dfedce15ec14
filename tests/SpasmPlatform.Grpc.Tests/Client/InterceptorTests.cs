using SpasmPlatform.Grpc.Client;
using SpasmPlatform.Grpc.Interceptors;
using SpasmPlatform.Grpc.Protocol;
using SpasmPlatform.Testing.V1;

namespace SpasmPlatform.Grpc.Tests.Client;

public sealed class InterceptorTests
{
    [Fact]
    public async Task Interceptors_run_in_array_order_and_can_change_the_call()
    {
        var seen = new Signal<string?>();
        await using var server = await WireServer.StartAsync(async context =>
        {
            seen.Set(context.Request.Headers["x-chain"]);
            await GrpcWire.RespondAsync(context, new EchoResponse { Message = "raw" });
        });
        using var channel = server.CreateChannel();
        var order = new List<string>();
        var invoker = channel.CreateCallInvoker().Intercept(new TaggingInterceptor("outer", order), new TaggingInterceptor("inner", order));

        var response = await invoker.AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest());

        Assert.Equal(["outer", "inner"], order);
        Assert.Equal("outer,inner", await seen.WaitAsync());
        // Responses unwind in reverse: the inner interceptor wraps first.
        Assert.Equal("raw<inner<outer", response.Message);
    }

    [Fact]
    public async Task Every_call_shape_passes_through_the_interceptor()
    {
        await using var server = await WireServer.StartAsync(async context =>
        {
            await GrpcWire.ReadAllRequestsAsync<EchoRequest>(context);
            await GrpcWire.RespondAsync(context, new EchoResponse());
        });
        using var channel = server.CreateChannel();
        var recorder = new RecordingInterceptor();
        var invoker = channel.CreateCallInvoker().Intercept(recorder);

        await invoker.AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest());
        using (var call = invoker.AsyncServerStreamingCall(EchoMethods.Expand, null, default, new EchoRequest()))
        {
            while (await call.ResponseStream.MoveNext().OrTimeout())
            {
            }
        }

        using (var call = invoker.AsyncClientStreamingCall(EchoMethods.Collect, null, default))
        {
            await call.RequestStream.CompleteAsync();
            await call;
        }

        using (var call = invoker.AsyncDuplexStreamingCall(EchoMethods.Chat, null, default))
        {
            await call.RequestStream.CompleteAsync();
            while (await call.ResponseStream.MoveNext().OrTimeout())
            {
            }
        }

        Assert.Equal([MethodType.Unary, MethodType.ServerStreaming, MethodType.ClientStreaming, MethodType.DuplexStreaming], recorder.Seen);
    }

    [Fact]
    public async Task Interceptor_can_short_circuit_without_calling_the_server()
    {
        using var channel = GrpcChannel.ForAddress("http://127.0.0.1:1");
        var invoker = channel.CreateCallInvoker().Intercept(new CachingInterceptor());

        var response = await invoker.AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest { Message = "cached?" });

        Assert.Equal("from cache", response.Message);
    }

    private sealed class TaggingInterceptor(string name, List<string> order) : Interceptor
    {
        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
            TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        {
            order.Add(name);
            var headers = context.Options.Headers ?? new Metadata();
            var chain = headers.GetValue("x-chain");
            var updated = new Metadata();
            foreach (var entry in headers.Where(e => e.Key != "x-chain"))
            {
                updated.Add(entry);
            }

            updated.Add("x-chain", chain is null ? name : $"{chain},{name}");
            var call = continuation(request, context with { Options = context.Options.WithHeaders(updated) });
            return new AsyncUnaryCall<TResponse>(Wrap(call.ResponseAsync), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
        }

        private async Task<TResponse> Wrap<TResponse>(Task<TResponse> response)
        {
            var result = await response;
            if (result is EchoResponse echo)
            {
                echo.Message += "<" + name;
            }

            return result;
        }
    }

    private sealed class RecordingInterceptor : Interceptor
    {
        public List<MethodType> Seen { get; } = [];

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
            TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        {
            Seen.Add(context.Method.Type);
            return base.AsyncUnaryCall(request, context, continuation);
        }

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
            TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
        {
            Seen.Add(context.Method.Type);
            return base.AsyncServerStreamingCall(request, context, continuation);
        }

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
            ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation)
        {
            Seen.Add(context.Method.Type);
            return base.AsyncClientStreamingCall(context, continuation);
        }

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
            ClientInterceptorContext<TRequest, TResponse> context, AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation)
        {
            Seen.Add(context.Method.Type);
            return base.AsyncDuplexStreamingCall(context, continuation);
        }
    }

    private sealed class CachingInterceptor : Interceptor
    {
        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
            TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        {
            var cached = (TResponse)(object)new EchoResponse { Message = "from cache" };
            return new AsyncUnaryCall<TResponse>(Task.FromResult(cached), Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => new Metadata(), () => { });
        }
    }
}
