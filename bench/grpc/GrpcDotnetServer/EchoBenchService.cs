using System.Text;
using Google.Protobuf;
using Grpc.Core;
using SpasmPlatform.Testing.V1;

namespace SpasmPlatform.Bench.GrpcDotnetServer;

/// <summary>
/// EchoService for the benchmark. Echo answers with the request's message and payload only, so that for
/// EchoRequest{message="hello"} the response bytes are the same as the C++ server's and the Kestrel
/// ceiling's. The conformance behaviours of the test service (deadlines, metadata echo, cancellation
/// reporting) are not reproduced here; fail_with_code is, because it costs one comparison.
/// The C++ server (bench/grpc/cpp/server.cc) implements the same four RPCs the same way.
/// </summary>
public sealed class EchoBenchService : EchoService.EchoServiceBase
{
    public override Task<EchoResponse> Echo(EchoRequest request, ServerCallContext context)
    {
        ThrowIfAskedToFail(request);
        return Task.FromResult(new EchoResponse { Message = request.Message, Payload = request.Payload });
    }

    /// <summary>Sends <c>repeat</c> responses, each after <c>delay_ms</c>, numbered from 0.</summary>
    public override async Task Expand(EchoRequest request, IServerStreamWriter<EchoResponse> responseStream, ServerCallContext context)
    {
        ThrowIfAskedToFail(request);
        for (var index = 0; index < request.Repeat; index++)
        {
            if (request.DelayMs > 0)
            {
                await Task.Delay(request.DelayMs, context.CancellationToken).ConfigureAwait(false);
            }

            await responseStream.WriteAsync(Answer(request, index), context.CancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Concatenates every request's message and payload; <c>index</c> is the number of requests.</summary>
    public override async Task<EchoResponse> Collect(IAsyncStreamReader<EchoRequest> requestStream, ServerCallContext context)
    {
        var message = new StringBuilder();
        using var payload = new MemoryStream();
        var count = 0;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            ThrowIfAskedToFail(request);
            message.Append(request.Message);
            request.Payload.WriteTo(payload);
            count++;
        }

        return new EchoResponse
        {
            Message = message.ToString(),
            Payload = ByteString.CopyFrom(payload.GetBuffer(), 0, (int)payload.Length),
            Index = count,
        };
    }

    /// <summary>Answers each request as it arrives, numbering the answers from 0.</summary>
    public override async Task Chat(IAsyncStreamReader<EchoRequest> requestStream, IServerStreamWriter<EchoResponse> responseStream, ServerCallContext context)
    {
        var index = 0;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            ThrowIfAskedToFail(request);
            await responseStream.WriteAsync(Answer(request, index++), context.CancellationToken).ConfigureAwait(false);
        }
    }

    private static EchoResponse Answer(EchoRequest request, int index) =>
        new() { Message = request.Message, Payload = request.Payload, Index = index };

    /// <summary>fail_with_code ends the call with that status and the message as detail (UNKNOWN when out of range).</summary>
    private static void ThrowIfAskedToFail(EchoRequest request)
    {
        if (request.FailWithCode == 0)
        {
            return;
        }

        var code = request.FailWithCode is >= 1 and <= 16 ? (StatusCode)request.FailWithCode : StatusCode.Unknown;
        throw new RpcException(new Status(code, request.Message));
    }
}
