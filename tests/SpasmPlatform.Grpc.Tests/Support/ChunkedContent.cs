namespace SpasmPlatform.Grpc.Tests.Support;

/// <summary>
/// A request body written as the given chunks, each flushed on its own so it leaves as its own DATA frame:
/// lets tests split a message header or payload at any byte.
/// </summary>
public sealed class ChunkedContent(IReadOnlyList<byte[]> chunks) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
    {
        foreach (var chunk in chunks)
        {
            await stream.WriteAsync(chunk);
            await stream.FlushAsync();
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
