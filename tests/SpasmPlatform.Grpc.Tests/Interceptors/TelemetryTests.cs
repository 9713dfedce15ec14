using System.Collections.Concurrent;
using System.Diagnostics;
using SpasmPlatform.Grpc.Client;
using SpasmPlatform.Grpc.Diagnostics;
using SpasmPlatform.Grpc.Interceptors;
using SpasmPlatform.Grpc.Protocol;
using SpasmPlatform.Grpc.Tests.Client;
using SpasmPlatform.Grpc.Tests.Support;
using SpasmPlatform.Testing.V1;

namespace SpasmPlatform.Grpc.Tests.Interceptors;

/// <summary>Our client and server spans: W3C context through metadata, rpc.* attributes, status codes.</summary>
public sealed class TelemetryTests : IDisposable
{
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public TelemetryTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is GrpcTelemetry.ServerSourceName or GrpcTelemetry.ClientSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task A_call_continues_the_callers_trace_through_a_client_and_a_server_span()
    {
        await using var server = await GrpcTestServer.StartAsync(o => o.Interceptors.Add(typeof(ServerTelemetryInterceptor)));
        using var channel = GrpcChannel.ForAddress(server.Address);
        using var caller = new Activity("caller").SetIdFormat(ActivityIdFormat.W3C);
        caller.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        caller.Start();

        await channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest { Message = "traced" });
        Assert.Same(caller, Activity.Current);
        caller.Stop();

        var (client, serverSpan) = await SpansOfAsync(caller.TraceId);
        Assert.Equal(ActivityKind.Client, client.Kind);
        Assert.Equal(caller.SpanId, client.ParentSpanId);
        Assert.Equal(ActivityKind.Server, serverSpan.Kind);
        Assert.Equal(client.SpanId, serverSpan.ParentSpanId);
        Assert.Equal("spasm.testing.v1.EchoService/Echo", serverSpan.DisplayName);
        Assert.Equal("grpc", serverSpan.GetTagItem("rpc.system"));
        Assert.Equal("spasm.testing.v1.EchoService", serverSpan.GetTagItem("rpc.service"));
        Assert.Equal("Echo", serverSpan.GetTagItem("rpc.method"));
        Assert.Equal(0, serverSpan.GetTagItem("rpc.grpc.status_code"));
        Assert.Equal(ActivityStatusCode.Unset, serverSpan.Status);
    }

    [Fact]
    public async Task A_failed_call_marks_both_spans_with_its_status_code_and_error()
    {
        await using var server = await GrpcTestServer.StartAsync(o => o.Interceptors.Add(typeof(ServerTelemetryInterceptor)));
        using var channel = GrpcChannel.ForAddress(server.Address);
        using var caller = new Activity("caller").SetIdFormat(ActivityIdFormat.W3C);
        caller.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        caller.Start();

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.EchoNotIdempotent, null, default, new EchoRequest { Message = "no", FailWithCode = (int)StatusCode.NotFound }));
        caller.Stop();

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        var (client, serverSpan) = await SpansOfAsync(caller.TraceId);
        foreach (var span in new[] { client, serverSpan })
        {
            Assert.Equal((int)StatusCode.NotFound, span.GetTagItem("rpc.grpc.status_code"));
            Assert.Equal(ActivityStatusCode.Error, span.Status);
        }
    }

    [Fact]
    public async Task A_call_without_trace_context_starts_a_new_trace_on_the_server()
    {
        await using var server = await GrpcTestServer.StartAsync(o => o.Interceptors.Add(typeof(ServerTelemetryInterceptor)));
        using var http = RawGrpc.CreateClient(server.Address);
        var marker = $"untraced-{Guid.NewGuid():N}";

        var (raw, _) = await RawGrpc.CallAsync(http, "/spasm.testing.v1.EchoService/Echo", EchoResponse.Parser, new EchoRequest { Message = marker });

        Assert.Equal("0", raw.Status);
        var span = Assert.Single(_stopped, a => a.Source.Name == GrpcTelemetry.ServerSourceName && a.StartTimeUtc > DateTime.UtcNow.AddMinutes(-1) && a.Parent is null && a.ParentSpanId == default);
        Assert.Equal(ActivityKind.Server, span.Kind);
    }

    private async Task<(Activity Client, Activity Server)> SpansOfAsync(ActivityTraceId traceId)
    {
        // The client span ends from the call's completion, which may run just after the awaited response.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var spans = _stopped.Where(a => a.TraceId == traceId).ToList();
            var client = spans.FirstOrDefault(a => a.Source.Name == GrpcTelemetry.ClientSourceName);
            var server = spans.FirstOrDefault(a => a.Source.Name == GrpcTelemetry.ServerSourceName);
            if (client is not null && server is not null)
            {
                return (client, server);
            }

            Assert.True(DateTime.UtcNow < deadline, $"spans of trace {traceId}: {string.Join(", ", spans.Select(s => s.DisplayName))}");
            await Task.Delay(10);
        }
    }
}
