using System.Globalization;
using Google.Protobuf;
using SpasmPlatform.ServiceDefaults.Grpc;

namespace SpasmPlatform.Grpc.Tests.Support;

/// <summary>
/// spasm.testing.v1.EchoService as the tests host it; request fields steer failures, delays and waits (see echo.proto),
/// and the request metadata <see cref="UnavailableAttemptsHeader"/> makes the first attempts of a call UNAVAILABLE.
/// </summary>
public sealed class TestEchoService(EchoProbe probe) : EchoService.EchoServiceBase
{
    /// <summary>
    /// Attempts of a call (as numbered by grpc-previous-rpc-attempts) below this number fail with UNAVAILABLE before the
    /// handler does anything: a server that was not there yet, as a retrying channel sees it.
    /// </summary>
    public const string UnavailableAttemptsHeader = "x-unavailable-attempts";

    public static string ServiceName => EchoReflection.Descriptor.Services[0].FullName;

    public override async Task<EchoResponse> Echo(EchoRequest request, ServerCallContext context)
    {
        probe.ConnectionIds.Add(context.GetHttpContext().Connection.Id);
        await ApplyAsync(request, context);
        if (request.EchoMetadata)
        {
            await EchoMetadataAsync(context);
        }

        return Reply(request, context, 0);
    }

    public override async Task Expand(EchoRequest request, IServerStreamWriter<EchoResponse> responseStream, ServerCallContext context)
    {
        probe.Record($"received:{request.Message}");
        FailEarlyAttempts(context);
        for (var i = 0; i < Math.Max(1, request.Repeat); i++)
        {
            if (request.DelayMs > 0)
            {
                await Task.Delay(request.DelayMs, context.CancellationToken);
            }

            await responseStream.WriteAsync(Reply(request, context, i));
        }

        if (request.FailWithCode != 0)
        {
            throw Failure(request);
        }

        if (request.WaitForCancellation)
        {
            await WaitForCancellationAsync(context);
        }
    }

    public override async Task<EchoResponse> Collect(IAsyncStreamReader<EchoRequest> requestStream, ServerCallContext context)
    {
        var text = new System.Text.StringBuilder();
        var payload = new MemoryStream();
        var count = 0;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            await ApplyAsync(request, context);
            text.Append(request.Message);
            request.Payload.WriteTo(payload);
            count++;
        }

        return new EchoResponse { Message = text.ToString(), Payload = ByteString.CopyFrom(payload.ToArray()), Index = count };
    }

    public override async Task Chat(IAsyncStreamReader<EchoRequest> requestStream, IServerStreamWriter<EchoResponse> responseStream, ServerCallContext context)
    {
        var index = 0;
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            var request = requestStream.Current;
            await ApplyAsync(request, context);
            await responseStream.WriteAsync(Reply(request, context, index++));
        }
    }

    private async Task ApplyAsync(EchoRequest request, ServerCallContext context)
    {
        probe.Record($"received:{request.Message}");
        FailEarlyAttempts(context);
        if (request.ThrowException)
        {
            throw new InvalidOperationException("secret internal detail: connection string Host=db;Password=hunter2");
        }

        if (request.WaitForCancellation)
        {
            await WaitForCancellationAsync(context);
        }

        if (request.DelayMs > 0)
        {
            // Deliberately ignores the cancellation token: the server must enforce deadlines by itself.
            await Task.Delay(request.DelayMs, CancellationToken.None);
        }

        if (request.FailWithCode != 0)
        {
            throw Failure(request);
        }
    }

    private static void FailEarlyAttempts(ServerCallContext context)
    {
        if (context.RequestHeaders.GetValue(UnavailableAttemptsHeader) is not { } failing)
        {
            return;
        }

        var attempt = context.RequestHeaders.GetValue("grpc-previous-rpc-attempts") is { } previous ? int.Parse(previous, CultureInfo.InvariantCulture) : 0;
        if (attempt < int.Parse(failing, CultureInfo.InvariantCulture))
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"attempt {attempt} refused"));
        }
    }

    private async Task WaitForCancellationAsync(ServerCallContext context)
    {
        var cancelled = new TaskCompletionSource();
        using (context.CancellationToken.Register(() => cancelled.TrySetResult()))
        {
            probe.Record("waiting");
            await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }

        probe.Record("cancelled");
        context.CancellationToken.ThrowIfCancellationRequested();
    }

    private static RpcException Failure(EchoRequest request)
    {
        var code = (StatusCode)request.FailWithCode;
        if (code == StatusCode.InvalidArgument)
        {
            // The platform's own builder, so what clients see is what a service's validation failure looks like.
            return RichErrors.InvalidArgument(request.Message, [("message", "must not be empty"), ("repeat", "must be between 1 and 100")]);
        }

        return new RpcException(new Status(code, request.Message), new Metadata { { "failure-reason", "requested" } });
    }

    private async Task EchoMetadataAsync(ServerCallContext context)
    {
        var headers = new Metadata();
        foreach (var entry in context.RequestHeaders)
        {
            if (entry.Key.StartsWith("x-", StringComparison.Ordinal))
            {
                probe.Record($"metadata:{entry.Key}:{(entry.IsBinary ? entry.ValueBytes.Length : entry.Value.Length)}");
                headers.Add(entry);
                context.ResponseTrailers.Add(entry.IsBinary ? new Metadata.Entry(entry.Key, entry.ValueBytes) : new Metadata.Entry($"{entry.Key}-trailer", entry.Value));
            }
        }

        await context.WriteResponseHeadersAsync(headers);
    }

    private static EchoResponse Reply(EchoRequest request, ServerCallContext context, int index) => new()
    {
        Message = request.Message,
        Payload = request.Payload,
        Index = index,
        DeadlineRemainingMs = context.Deadline == DateTime.MaxValue ? -1 : (long)(context.Deadline - DateTime.UtcNow).TotalMilliseconds,
    };
}
