using Google.Rpc;
using Microsoft.Extensions.DependencyInjection;
using SpasmPlatform.Grpc.Tests.Support;
using SpasmPlatform.ServiceDefaults.Grpc;

namespace SpasmPlatform.Grpc.Tests.Interceptors;

/// <summary>The platform's ValidationInterceptor in grpc-dotnet's pipeline, seen from the wire.</summary>
public sealed class ValidationInterceptorTests
{
    private const string Echo = "/spasm.testing.v1.EchoService/Echo";
    private const string Expand = "/spasm.testing.v1.EchoService/Expand";

    [Theory]
    [InlineData(Echo)]
    [InlineData(Expand)]
    public async Task Rejects_with_every_violation_before_the_handler_runs(string path)
    {
        await using var server = await StartAsync();
        using var http = RawGrpc.CreateClient(server.Address);

        var (raw, messages) = await RawGrpc.CallAsync(http, path, EchoResponse.Parser, new EchoRequest { Message = "", Repeat = -1 });

        Assert.Equal("3", raw.Status);
        Assert.True(raw.IsTrailersOnly);
        Assert.Empty(messages);
        Assert.Equal("Invalid request: 2 fields are invalid.", Uri.UnescapeDataString(raw.Message!));
        Assert.DoesNotContain(server.Probe.Events, e => e.StartsWith("received:", StringComparison.Ordinal));
        var status = Google.Rpc.Status.Parser.ParseFrom(Convert.FromBase64String(raw.StatusOrHeader("grpc-status-details-bin")!));
        Assert.Equal(3, status.Code);
        Assert.Equal(
            [("message", "is required"), ("repeat", "must not be negative")],
            status.GetDetail<BadRequest>()!.FieldViolations.Select(v => (v.Field, v.Description)));
    }

    [Fact]
    public async Task A_single_violation_is_named_in_the_message()
    {
        await using var server = await StartAsync();
        using var http = RawGrpc.CreateClient(server.Address);

        var (raw, _) = await RawGrpc.CallAsync(http, Echo, EchoResponse.Parser, new EchoRequest { Message = "", Repeat = 1 });

        Assert.Equal("3", raw.Status);
        Assert.Equal("Invalid request: message is required", Uri.UnescapeDataString(raw.Message!));
    }

    [Fact]
    public async Task Lets_valid_requests_through()
    {
        await using var server = await StartAsync();
        using var http = RawGrpc.CreateClient(server.Address);

        var (raw, messages) = await RawGrpc.CallAsync(http, Echo, EchoResponse.Parser, new EchoRequest { Message = "fine", Repeat = 1 });

        Assert.Equal("0", raw.Status);
        Assert.Equal("fine", Assert.Single(messages).Message);
    }

    private static Task<GrpcTestServer> StartAsync() => GrpcTestServer.StartAsync(
        grpc => grpc.Interceptors.Add<ValidationInterceptor>(),
        services => services.AddSingleton<IRequestValidator<EchoRequest>, EchoRequestValidator>());

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
}
