namespace SpasmPlatform.Fuzzing;

/// <summary>A request body written chunk by chunk, each flushed, with no Content-Length (as gRPC clients send).</summary>
internal sealed class HostileContent(IReadOnlyList<byte[]> chunks) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
    {
        foreach (var chunk in chunks)
        {
            await stream.WriteAsync(chunk).ConfigureAwait(false);
            await stream.FlushAsync().ConfigureAwait(false);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
