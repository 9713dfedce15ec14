using System.CommandLine;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using SpasmPlatform.Cli;
using SpasmPlatform.Grpc.Client;
using SpasmPlatform.Grpc.Protocol;
using SpasmPlatform.Grpc.Tests.Server;
using SpasmPlatform.Grpc.Tests.Support;
using SpasmPlatform.Testing.V1;

namespace SpasmPlatform.Grpc.Tests.Client;

/// <summary>The client against the layer's own server (EchoService, health, reflection): both halves together.</summary>
public sealed class EndToEndTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private GrpcTestServer Server => fixture.Server;

    [Fact]
    public async Task All_four_call_shapes_work_against_the_real_server()
    {
        using var channel = GrpcChannel.ForAddress(Server.Address);
        var invoker = channel.CreateCallInvoker();

        var unary = await invoker.AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest { Message = "unary" }).ResponseAsync.OrTimeout();

        using var expand = invoker.AsyncServerStreamingCall(EchoMethods.Expand, null, default, new EchoRequest { Message = "s", Repeat = 3 });
        var indexes = new List<int>();
        await foreach (var response in expand.ResponseStream.ReadAllAsync().WithCancellation(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token))
        {
            indexes.Add(response.Index);
        }

        using var collect = invoker.AsyncClientStreamingCall(EchoMethods.Collect, null, default);
        foreach (var part in new[] { "a", "b", "c" })
        {
            await collect.RequestStream.WriteAsync(new EchoRequest { Message = part });
        }

        await collect.RequestStream.CompleteAsync();
        var collected = await collect.ResponseAsync.OrTimeout();

        using var chat = invoker.AsyncDuplexStreamingCall(EchoMethods.Chat, null, default);
        await chat.RequestStream.WriteAsync(new EchoRequest { Message = "ping" });
        Assert.True(await chat.ResponseStream.MoveNext().OrTimeout());
        var pong = chat.ResponseStream.Current.Message;
        await chat.RequestStream.CompleteAsync();
        Assert.False(await chat.ResponseStream.MoveNext().OrTimeout());

        Assert.Equal("unary", unary.Message);
        Assert.Equal([0, 1, 2], indexes);
        Assert.Equal(StatusCode.OK, expand.GetStatus().StatusCode);
        Assert.Equal(("abc", 3), (collected.Message, collected.Index));
        Assert.Equal("ping", pong);
        Assert.Equal(StatusCode.OK, chat.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Rich_errors_and_trailers_from_the_server_reach_the_caller()
    {
        using var channel = GrpcChannel.ForAddress(Server.Address);
        var invoker = channel.CreateCallInvoker();

        var invalid = await Assert.ThrowsAsync<RpcException>(() => invoker.AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest { Message = "bad intake", FailWithCode = 3 }).ResponseAsync.OrTimeout());
        var aborted = await Assert.ThrowsAsync<RpcException>(() => invoker.AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest { Message = "conflict", FailWithCode = 10 }).ResponseAsync.OrTimeout());
        var crashed = await Assert.ThrowsAsync<RpcException>(() => invoker.AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest { ThrowException = true }).ResponseAsync.OrTimeout());

        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Equal(["message", "repeat"], invalid.RichStatus!.GetDetail<Google.Rpc.BadRequest>()!.FieldViolations.Select(v => v.Field));
        Assert.Equal((StatusCode.Aborted, "requested"), (aborted.StatusCode, aborted.Trailers.GetValue("failure-reason")));
        Assert.Equal(StatusCode.Unknown, crashed.StatusCode);
        Assert.DoesNotContain("hunter2", crashed.Status.Detail);
    }

    [Fact]
    public async Task Metadata_round_trips_through_the_server()
    {
        using var channel = GrpcChannel.ForAddress(Server.Address);
        var headers = new Metadata().Add("x-patient", "p-7").Add("x-blob-bin", new byte[] { 0, 255, 7 });

        using var call = channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, new CallOptions(headers), new EchoRequest { EchoMetadata = true });
        var responseHeaders = await call.ResponseHeadersAsync.OrTimeout();
        await call.ResponseAsync.OrTimeout();

        Assert.Equal("p-7", responseHeaders.GetValue("x-patient"));
        Assert.Equal(new byte[] { 0, 255, 7 }, responseHeaders.GetValueBytes("x-blob-bin"));
        Assert.Equal("p-7", call.GetTrailers().GetValue("x-patient-trailer"));
        Assert.Equal(new byte[] { 0, 255, 7 }, call.GetTrailers().GetValueBytes("x-blob-bin"));
    }

    [Fact]
    public async Task Server_sees_the_deadline_and_enforces_it_too()
    {
        using var channel = GrpcChannel.ForAddress(Server.Address, new GrpcChannelOptions { CompressionAlgorithm = MessageCompression.Gzip });
        var invoker = channel.CreateCallInvoker();

        var seen = await invoker.AsyncUnaryCall(EchoMethods.Echo, null, new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(20)), new EchoRequest { Message = new string('x', 2000) }).ResponseAsync.OrTimeout();
        var late = await Assert.ThrowsAsync<RpcException>(() => invoker.AsyncUnaryCall(EchoMethods.Echo, null, new CallOptions(Deadline: DateTime.UtcNow.AddMilliseconds(1500)), new EchoRequest { DelayMs = 5000 }).ResponseAsync.OrTimeout());

        Assert.InRange(seen.DeadlineRemainingMs, 15_000, 20_000);
        Assert.Equal(new string('x', 2000), seen.Message);
        Assert.Equal(StatusCode.DeadlineExceeded, late.StatusCode);
    }

    [Fact]
    public async Task Cancelling_reaches_the_server_handler()
    {
        using var channel = GrpcChannel.ForAddress(Server.Address);
        using var cts = new CancellationTokenSource();

        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(EchoMethods.Expand, null, new CallOptions(CancellationToken: cts.Token), new EchoRequest { Message = "wait-e2e", WaitForCancellation = true });
        Assert.True(await call.ResponseStream.MoveNext().OrTimeout());
        Assert.True(await Server.Probe.WaitForAsync("waiting", TimeSpan.FromSeconds(10)));
        await cts.CancelAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext().OrTimeout());
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.True(await Server.Probe.WaitForAsync("cancelled", TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Health_and_reflection_clients_talk_to_the_real_services()
    {
        using var channel = GrpcChannel.ForAddress(Server.Address);

        var health = await new HealthClient(channel).CheckAsync(new HealthCheckRequest()).ResponseAsync.OrTimeout();
        using var watch = new HealthClient(channel).Watch(new HealthCheckRequest { Service = "spasm.testing.v1.EchoService" });
        Assert.True(await watch.ResponseStream.MoveNext().OrTimeout());
        using var reflection = new ServerReflectionClient(channel).ServerReflectionInfo();
        await reflection.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        Assert.True(await reflection.ResponseStream.MoveNext().OrTimeout());
        var services = reflection.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        await reflection.RequestStream.CompleteAsync();
        Assert.False(await reflection.ResponseStream.MoveNext().OrTimeout());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, watch.ResponseStream.Current.Status);
        Assert.Contains("spasm.testing.v1.EchoService", services);
    }

    [Fact]
    public async Task Spasm_cli_reports_health_and_reflection_of_the_real_server()
    {
        var address = Server.Address.ToString().TrimEnd('/');

        var (healthExit, healthOutput) = await RunCliAsync("health", "--address", address, "--service", "spasm.testing.v1.EchoService");
        var (listExit, listOutput) = await RunCliAsync("reflect", "--address", address);
        var (symbolExit, symbolOutput) = await RunCliAsync("reflect", "--address", address, "--symbol", "spasm.testing.v1.EchoService.Collect");

        Assert.Equal((0, "SERVING"), (healthExit, healthOutput.Trim()));
        Assert.Equal(0, listExit);
        Assert.Contains("grpc.health.v1.Health", listOutput.Split('\n', StringSplitOptions.TrimEntries));
        Assert.Equal((0, "spasm/testing/v1/echo.proto"), (symbolExit, symbolOutput.Trim()));
    }

    [Fact]
    public async Task Concurrent_calls_spread_over_connections_when_the_server_limits_streams()
    {
        await using var server = await GrpcTestServer.StartAsync(configureKestrel: kestrel => kestrel.Limits.Http2.MaxStreamsPerConnection = 2);
        using var channel = GrpcChannel.ForAddress(server.Address);
        var invoker = channel.CreateCallInvoker();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => invoker.AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest { DelayMs = 300 }).ResponseAsync)).OrTimeout();

        Assert.True(server.Probe.ConnectionIds.Distinct().Count() > 1);
    }

    private static async Task<(int ExitCode, string Output)> RunCliAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CliApp.CreateRootCommand().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output + error.ToString());
    }
}
