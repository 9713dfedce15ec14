using Google.Protobuf;
using Google.Rpc;
using Microsoft.Extensions.Logging;
using SpasmPlatform.Grpc.Tests.Support;
using SpasmPlatform.ServiceDefaults.Grpc;

namespace SpasmPlatform.Grpc.Tests.Server;

public sealed class StatusTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string Echo = "/spasm.testing.v1.EchoService/Echo";
    private const string Expand = "/spasm.testing.v1.EchoService/Expand";

    [Fact]
    public async Task Immediate_error_is_a_trailers_only_response()
    {
        var response = await RawGrpc.SendAsync(fixture.Http, RawGrpc.Request(Echo, RawGrpc.Frame(new EchoRequest { Message = "no such record", FailWithCode = 5 })));

        Assert.True(response.IsTrailersOnly);
        Assert.Empty(response.Messages);
        Assert.Empty(response.Trailers);
        Assert.Equal("5", response.Status);
        Assert.Equal("no such record", Uri.UnescapeDataString(response.Message!));
        Assert.Equal("application/grpc", response.ContentType);
        Assert.Equal("requested", response.StatusOrHeader("failure-reason"));
    }

    [Fact]
    public async Task Error_after_messages_is_sent_in_trailers()
    {
        var response = await RawGrpc.SendAsync(fixture.Http, RawGrpc.Request(Expand, RawGrpc.Frame(new EchoRequest { Message = "late", Repeat = 2, FailWithCode = 10 })));

        Assert.False(response.IsTrailersOnly);
        Assert.Equal(2, response.Messages.Count);
        Assert.Equal("10", RawResponse.Header(response.Trailers, "grpc-status"));
        Assert.Equal("requested", RawResponse.Header(response.Trailers, "failure-reason"));
    }

    [Fact]
    public async Task Grpc_message_is_percent_encoded()
    {
        const string detail = "Überweisung 100% fehlgeschlagen\nzeile 2 ✓";
        var response = await RawGrpc.SendAsync(fixture.Http, RawGrpc.Request(Echo, RawGrpc.Frame(new EchoRequest { Message = detail, FailWithCode = 9 })));

        Assert.Equal("%C3%9Cberweisung 100%25 fehlgeschlagen%0Azeile 2 %E2%9C%93", response.Message);
        Assert.Equal(detail, Uri.UnescapeDataString(response.Message!));
    }

    [Fact]
    public async Task Invalid_argument_carries_every_field_violation_in_status_details()
    {
        var response = await RawGrpc.SendAsync(fixture.Http, RawGrpc.Request(Echo, RawGrpc.Frame(new EchoRequest { Message = "invalid request", FailWithCode = 3 })));

        Assert.Equal("3", response.Status);
        Assert.Equal("invalid request", Uri.UnescapeDataString(response.Message!));
        var status = Google.Rpc.Status.Parser.ParseFrom(Convert.FromBase64String(response.StatusOrHeader("grpc-status-details-bin")!));
        Assert.Equal(3, status.Code);
        Assert.Equal("invalid request", status.Message);
        var badRequest = status.GetDetail<BadRequest>();
        Assert.NotNull(badRequest);
        Assert.Equal(["message", "repeat"], badRequest.FieldViolations.Select(v => v.Field));
    }

    [Fact]
    public async Task Handler_exception_is_unknown_with_a_generic_message_and_is_logged()
    {
        var response = await RawGrpc.SendAsync(fixture.Http, RawGrpc.Request(Echo, RawGrpc.Frame(new EchoRequest { Message = "boom", ThrowException = true })));

        Assert.Equal("2", response.Status);
        Assert.Equal("Exception was thrown by handler.", Uri.UnescapeDataString(response.Message!));
        Assert.Null(response.StatusOrHeader("grpc-status-details-bin"));
        Assert.Contains(fixture.Server.Logs.Entries, e =>
            e.Level == LogLevel.Error && e.Exception is InvalidOperationException && e.Message.Contains("Echo", StringComparison.Ordinal));
    }

    // Found by the fuzzer: a request with 100,000 invalid elements got one field violation each, and trailers no
    // HTTP/2 client would read; a detail quoting a huge request field did the same to grpc-message. grpc-dotnet sends a
    // status message as given, so the bound is the platform's RichErrors.
    [Fact]
    public async Task Rich_error_message_and_field_violations_are_bounded()
    {
        var response = await RawGrpc.SendAsync(fixture.Http, RawGrpc.Request(Echo, RawGrpc.Frame(new EchoRequest { Message = new string('m', 200_000), FailWithCode = 3 })));

        Assert.Equal("3", response.Status);
        Assert.Equal(RichErrors.MaxText + 1, Uri.UnescapeDataString(response.Message!).Length);
        var status = Google.Rpc.Status.Parser.ParseFrom(Convert.FromBase64String(response.StatusOrHeader("grpc-status-details-bin")!));
        Assert.Equal(RichErrors.MaxText + 1, status.Message.Length);

        // Short violations: the count is the bound.
        var many = RichErrors.InvalidArgument("Invalid request: 150000 fields are invalid.", Enumerable.Range(0, 150_000).Select(i => ($"kinds[{i}]", "d")));
        var violations = many.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations;
        Assert.Equal(RichErrors.MaxFieldViolations + 1, violations.Count);
        Assert.Equal("149900 more violations not listed", violations[^1].Description);

        // Long ones: each is cut, and all together stay within the text budget peers' header limits allow.
        var long_ = RichErrors.InvalidArgument("Invalid request: 150000 fields are invalid.", Enumerable.Range(0, 150_000).Select(i => ($"kinds[{i}]", new string('d', 5000))));
        var cut = long_.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations;
        Assert.InRange(cut.Count, 2, RichErrors.MaxFieldViolations);
        Assert.All(cut.SkipLast(1), v => Assert.Equal(RichErrors.MaxText + 1, v.Description.Length));
        Assert.True(cut.SkipLast(1).Sum(v => v.Field.Length + v.Description.Length) <= RichErrors.MaxDetailsText);
        Assert.Equal($"{150_000 - (cut.Count - 1)} more violations not listed", cut[^1].Description);
        Assert.True(Convert.ToBase64String(long_.GetRpcStatus()!.ToByteArray()).Length < 8 * 1024, "the details trailer must fit grpcio's header limit");
    }
}
