using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace SpasmPlatform.Grpc.Tests.Interop;

/// <summary>One call as seen on our server's side of the wire.</summary>
public sealed record RecordedCall(string Path, string RequestEncoding, int? FirstRequestFlag, string ResponseEncoding);

/// <summary>
/// Middleware that records, per call, the grpc-encoding a peer sent, the compressed-flag byte of its first
/// request message, and the grpc-encoding our server answered with: a peer that silently sent identity would
/// round-trip its payload just as well, so only the wire shows that compression happened.
/// </summary>
public sealed class CompressionRecorder
{
    public ConcurrentQueue<RecordedCall> Calls { get; } = new();

    public void Attach(WebApplication app) => app.Use(async (context, next) =>
    {
        var body = new FirstByteStream(context.Request.Body);
        context.Request.Body = body;
        // Recorded as the response headers go out, so the record exists before the peer can see any answer.
        context.Response.OnStarting(() =>
        {
            Calls.Enqueue(new RecordedCall(
                context.Request.Path.Value ?? string.Empty,
                context.Request.Headers["grpc-encoding"].ToString(),
                body.FirstByte,
                context.Response.Headers["grpc-encoding"].ToString()));
            return Task.CompletedTask;
        });
        await next(context);
    });

    private sealed class FirstByteStream(Stream inner) : Stream
    {
        public int? FirstByte { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            Note(buffer[..read]);
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            Note(buffer.Span[..read]);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private void Note(ReadOnlySpan<byte> read)
        {
            if (FirstByte is null && read.Length > 0)
            {
                FirstByte = read[0];
            }
        }
    }
}
