using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SpasmPlatform.Grpc.Interceptors;
using SpasmPlatform.Grpc.Protocol;
using SpasmPlatform.Grpc.Server;
using SpasmPlatform.Grpc.Tests.Support;
using SpasmPlatform.Testing.V1;

namespace SpasmPlatform.Grpc.Tests.Interceptors;

public sealed class InterceptorTests
{
    private const string Echo = "/spasm.testing.v1.EchoService/Echo";

    [Fact]
    public async Task Interceptors_run_outermost_first_around_the_handler()
    {
        await using var server = await GrpcTestServer.StartAsync(o =>
        {
            o.Interceptors.Add(typeof(OuterInterceptor));
            o.Interceptors.Add(typeof(InnerInterceptor));
        });
        using var http = RawGrpc.CreateClient(server.Address);

        var (raw, _) = await RawGrpc.CallAsync(http, Echo, EchoResponse.Parser, new EchoRequest { Message = "order" });

        Assert.Equal("0", raw.Status);
        Assert.Equal(["outer:before", "inner:before", "received:order", "inner:after", "outer:after"], server.Probe.Events);
    }

    [Fact]
    public async Task Validation_interceptor_rejects_with_every_violation_before_the_handler_runs()
    {
        await using var server = await GrpcTestServer.StartAsync(
            o => o.Interceptors.Add(typeof(ValidationInterceptor)),
            services => services.AddSingleton<IRequestValidator<EchoRequest>, EchoRequestValidator>());
        using var http = RawGrpc.CreateClient(server.Address);

        var (raw, messages) = await RawGrpc.CallAsync(http, Echo, EchoResponse.Parser, new EchoRequest { Message = "", Repeat = -1 });

        Assert.Equal("3", raw.Status);
        Assert.Empty(messages);
        Assert.DoesNotContain(server.Probe.Events, e => e.StartsWith("received:", StringComparison.Ordinal));
        var status = Google.Rpc.Status.Parser.ParseFrom(Convert.FromBase64String(raw.StatusOrHeader("grpc-status-details-bin")!));
        Assert.Equal(["message", "repeat"], status.GetDetail<Google.Rpc.BadRequest>()!.FieldViolations.Select(v => v.Field));
    }

    [Fact]
    public async Task Validation_interceptor_lets_valid_requests_through()
    {
        await using var server = await GrpcTestServer.StartAsync(
            o => o.Interceptors.Add(typeof(ValidationInterceptor)),
            services => services.AddSingleton<IRequestValidator<EchoRequest>, EchoRequestValidator>());
        using var http = RawGrpc.CreateClient(server.Address);

        var (raw, messages) = await RawGrpc.CallAsync(http, Echo, EchoResponse.Parser, new EchoRequest { Message = "fine", Repeat = 1 });

        Assert.Equal("0", raw.Status);
        Assert.Equal("fine", Assert.Single(messages).Message);
    }

    [Fact]
    public async Task Logging_interceptor_logs_method_and_status_but_not_message_contents()
    {
        await using var server = await GrpcTestServer.StartAsync(o => o.Interceptors.Add(typeof(ServerLoggingInterceptor)));
        using var http = RawGrpc.CreateClient(server.Address);

        await RawGrpc.CallAsync(http, Echo, EchoResponse.Parser, new EchoRequest { Message = "patient-secret", FailWithCode = 5 });

        var line = Assert.Single(server.Logs.Entries, e => e.Level == LogLevel.Information && e.Message.StartsWith("gRPC ", StringComparison.Ordinal));
        Assert.Contains("/spasm.testing.v1.EchoService/Echo -> NotFound", line.Message);
        Assert.DoesNotContain("patient-secret", line.Message);
    }

    private sealed class EchoRequestValidator : IRequestValidator<EchoRequest>
    {
        public IEnumerable<FieldViolation> Validate(EchoRequest request)
        {
            if (request.Message.Length == 0)
            {
                yield return new FieldViolation("message", "is required");
            }

            if (request.Repeat < 0)
            {
                yield return new FieldViolation("repeat", "must not be negative");
            }
        }
    }

    private sealed class OuterInterceptor(EchoProbe probe) : Interceptor
    {
        public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        {
            probe.Record("outer:before");
            var response = await continuation(request, context);
            probe.Record("outer:after");
            return response;
        }
    }

    private sealed class InnerInterceptor(EchoProbe probe) : Interceptor
    {
        public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        {
            probe.Record("inner:before");
            var response = await continuation(request, context);
            probe.Record("inner:after");
            return response;
        }
    }
}
