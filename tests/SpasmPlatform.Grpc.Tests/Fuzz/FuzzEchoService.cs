namespace SpasmPlatform.Grpc.Tests.Fuzz;

/// <summary>
/// spasm.testing.v1.EchoService for the fuzzer: echoes like the conformance tests' service, including metadata, but
/// without the switches that fail, throw or wait on purpose, so that any UNKNOWN or hang it gives is grpc-dotnet's doing.
/// </summary>
public sealed class FuzzEchoService : EchoService.EchoServiceBase
{
    private const int MaxRepeat = 50;

    public override async Task<EchoResponse> Echo(EchoRequest request, ServerCallContext context)
    {
        if (request.EchoMetadata)
        {
            await EchoMetadataAsync(context);
        }

        return Reply(request, 0);
    }

    public override async Task Expand(EchoRequest request, IServerStreamWriter<EchoResponse> responseStream, ServerCallContext context)
    {
        for (var i = 0; i < Math.Clamp(request.Repeat, 1, MaxRepeat); i++)
        {
            await responseStream.WriteAsync(Reply(request, i));
        }
    }

    public override async Task<EchoResponse> Collect(IAsyncStreamReader<EchoRequest> requestStream, ServerCallContext context)
    {
        var count = 0;
        var text = new System.Text.StringBuilder();
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            text.Append(request.Message);
            count++;
        }

        return new EchoResponse { Message = text.ToString(), Index = count };
    }

    public override async Task Chat(IAsyncStreamReader<EchoRequest> requestStream, IServerStreamWriter<EchoResponse> responseStream, ServerCallContext context)
    {
        var index = 0;
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            await responseStream.WriteAsync(Reply(requestStream.Current, index++));
        }
    }

    private static async Task EchoMetadataAsync(ServerCallContext context)
    {
        var headers = new Metadata();
        foreach (var entry in context.RequestHeaders.Where(e => e.Key.StartsWith("x-", StringComparison.Ordinal)))
        {
            headers.Add(entry);
            context.ResponseTrailers.Add(entry);
        }

        await context.WriteResponseHeadersAsync(headers);
    }

    private static EchoResponse Reply(EchoRequest request, int index) => new() { Message = request.Message, Payload = request.Payload, Index = index };
}
