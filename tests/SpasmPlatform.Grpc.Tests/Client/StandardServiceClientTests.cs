using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using SpasmPlatform.Grpc.Client;
using SpasmPlatform.Grpc.Protocol;
using static Grpc.Health.V1.HealthCheckResponse.Types;

namespace SpasmPlatform.Grpc.Tests.Client;

public sealed class StandardServiceClientTests
{
    [Fact]
    public async Task Health_check_reports_serving_status_and_not_found()
    {
        await using var server = await WireServer.StartAsync(FakeStandardServices.Health(service => service switch
        {
            "" => ServingStatus.Serving,
            "spasm.assessment.v1.AssessmentService" => ServingStatus.NotServing,
            _ => null,
        }));
        using var channel = server.CreateChannel();
        var client = new HealthClient(channel);

        Assert.Equal(ServingStatus.Serving, (await client.CheckAsync(new HealthCheckRequest())).Status);
        Assert.Equal(ServingStatus.NotServing, (await client.CheckAsync(new HealthCheckRequest { Service = "spasm.assessment.v1.AssessmentService" })).Status);
        var error = await Assert.ThrowsAsync<RpcException>(() => client.CheckAsync(new HealthCheckRequest { Service = "nope" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Health_watch_streams_status_changes_until_cancelled()
    {
        var changeNow = new Signal<bool>();
        var serverAborted = new Signal<bool>();
        var path = new Signal<string>();
        await using var server = await WireServer.StartAsync(async context =>
        {
            path.Set(context.Request.Path);
            context.RequestAborted.Register(() => serverAborted.Set(true));
            await GrpcWire.WriteResponseAsync(context, new HealthCheckResponse { Status = ServingStatus.Serving });
            await changeNow.WaitAsync();
            await GrpcWire.WriteResponseAsync(context, new HealthCheckResponse { Status = ServingStatus.NotServing });
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { });
        });
        using var channel = server.CreateChannel();
        var client = new HealthClient(channel.CreateCallInvoker());
        using var cts = new CancellationTokenSource();

        using var call = client.Watch(new HealthCheckRequest(), cancellationToken: cts.Token);
        Assert.True(await call.ResponseStream.MoveNext().OrTimeout());
        Assert.Equal(ServingStatus.Serving, call.ResponseStream.Current.Status);
        changeNow.Set(true);
        Assert.True(await call.ResponseStream.MoveNext().OrTimeout());
        Assert.Equal(ServingStatus.NotServing, call.ResponseStream.Current.Status);
        await cts.CancelAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext().OrTimeout());
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.Equal(FakeStandardServices.WatchPath, await path.WaitAsync());
        Assert.True(await serverAborted.WaitAsync());
    }

    [Fact]
    public async Task Reflection_session_answers_each_request_in_order()
    {
        await using var server = await WireServer.StartAsync(FakeStandardServices.Reflection);
        using var channel = server.CreateChannel();
        var client = new ServerReflectionClient(channel);

        using var call = client.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "*" });
        Assert.True(await call.ResponseStream.MoveNext().OrTimeout());
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name);
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "spasm.testing.v1.EchoService" });
        Assert.True(await call.ResponseStream.MoveNext().OrTimeout());
        var files = call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto;
        await call.RequestStream.CompleteAsync();

        Assert.False(await call.ResponseStream.MoveNext().OrTimeout());
        Assert.Equal(["spasm.testing.v1.EchoService", "grpc.health.v1.Health"], services);
        Assert.Equal("spasm/testing/v1/echo.proto", Google.Protobuf.Reflection.FileDescriptorProto.Parser.ParseFrom(files[0]).Name);
    }
}
