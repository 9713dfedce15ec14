using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Google.Protobuf;

namespace SpasmPlatform.Grpc.Protocol;

/// <summary>
/// Length-prefixed messages: a 1-byte compressed flag, a 4-byte big-endian length, then the message.
/// A message may be split over any number of DATA frames, and a frame may hold several messages.
/// </summary>
public static class MessageFraming
{
    /// <summary>
    /// Reads the next message, or returns null at a clean end of stream. Throws <see cref="RpcException"/>:
    /// RESOURCE_EXHAUSTED when the message exceeds <paramref name="maxMessageSize"/>, INTERNAL for a truncated
    /// message, a compressed message without an encoding, or bytes that do not parse.
    /// </summary>
    public static async ValueTask<T?> ReadMessageAsync<T>(
        PipeReader reader,
        MessageParser<T> parser,
        int? maxMessageSize,
        string? encoding,
        CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length >= GrpcProtocol.HeaderSize)
            {
                var (compressed, length) = ReadHeader(buffer);
                if (maxMessageSize is { } max && length > max)
                {
                    reader.AdvanceTo(buffer.Start);
                    throw new RpcException(new Status(StatusCode.ResourceExhausted, "Received message exceeds the maximum configured message size."));
                }

                if (buffer.Length - GrpcProtocol.HeaderSize >= length)
                {
                    var payload = buffer.Slice(GrpcProtocol.HeaderSize, length);
                    try
                    {
                        return Decode(payload, compressed, parser, maxMessageSize, encoding);
                    }
                    finally
                    {
                        reader.AdvanceTo(payload.End);
                    }
                }
            }

            if (result.IsCompleted)
            {
                var remaining = buffer.Length;
                reader.AdvanceTo(buffer.End);
                if (remaining == 0)
                {
                    return null;
                }

                throw new RpcException(new Status(StatusCode.Internal, "Incomplete message."));
            }

            if (result.IsCanceled)
            {
                reader.AdvanceTo(buffer.Start);
                throw new OperationCanceledException(cancellationToken);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Writes one framed message. The caller flushes.</summary>
    public static void WriteMessage(IBufferWriter<byte> writer, IMessage message, string? compression, int? maxMessageSize)
    {
        var size = message.CalculateSize();
        if (maxMessageSize is { } max && size > max)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, "Sending message exceeds the maximum configured message size."));
        }

        if (compression is null or GrpcProtocol.IdentityEncoding)
        {
            var span = writer.GetSpan(GrpcProtocol.HeaderSize + size);
            span[0] = 0;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)size);
            message.WriteTo(span.Slice(GrpcProtocol.HeaderSize, size));
            writer.Advance(GrpcProtocol.HeaderSize + size);
            return;
        }

        using var compressed = new MemoryStream();
        using (var stream = MessageCompression.CreateCompressionStream(compression, compressed))
        {
            message.WriteTo(stream);
        }

        var header = writer.GetSpan(GrpcProtocol.HeaderSize);
        header[0] = 1;
        BinaryPrimitives.WriteUInt32BigEndian(header[1..], (uint)compressed.Length);
        writer.Advance(GrpcProtocol.HeaderSize);
        writer.Write(compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
    }

    private static (bool Compressed, long Length) ReadHeader(ReadOnlySequence<byte> buffer)
    {
        Span<byte> header = stackalloc byte[GrpcProtocol.HeaderSize];
        buffer.Slice(0, GrpcProtocol.HeaderSize).CopyTo(header);
        var compressed = header[0] switch
        {
            0 => false,
            1 => true,
            _ => throw new RpcException(new Status(StatusCode.Internal, $"Unexpected compressed flag value {header[0]} in message header.")),
        };
        return (compressed, BinaryPrimitives.ReadUInt32BigEndian(header[1..]));
    }

    private static T Decode<T>(ReadOnlySequence<byte> payload, bool compressed, MessageParser<T> parser, int? maxMessageSize, string? encoding)
        where T : class, IMessage<T>
    {
        if (compressed)
        {
            if (encoding is null or GrpcProtocol.IdentityEncoding)
            {
                throw new RpcException(new Status(StatusCode.Internal, "Received a compressed message but grpc-encoding is 'identity'."));
            }

            if (!MessageCompression.IsSupported(encoding))
            {
                throw new RpcException(new Status(StatusCode.Unimplemented, $"Unsupported grpc-encoding value '{encoding}'. Supported encodings: {MessageCompression.AcceptEncoding}"));
            }

            payload = new ReadOnlySequence<byte>(Decompress(payload, encoding, maxMessageSize));
        }

        try
        {
            return parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException)
        {
            throw new RpcException(new Status(StatusCode.Internal, "Error deserializing message."));
        }
    }

    private static byte[] Decompress(ReadOnlySequence<byte> payload, string encoding, int? maxMessageSize)
    {
        using var input = new MemoryStream(payload.ToArray());
        using var output = new MemoryStream();
        try
        {
            using var stream = MessageCompression.CreateDecompressionStream(encoding, input);
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = stream.Read(chunk)) > 0)
            {
                output.Write(chunk, 0, read);
                // Checked while inflating so a small compressed message cannot expand without bound.
                if (maxMessageSize is { } max && output.Length > max)
                {
                    throw new RpcException(new Status(StatusCode.ResourceExhausted, "Received message exceeds the maximum configured message size."));
                }
            }
        }
        catch (InvalidDataException)
        {
            throw new RpcException(new Status(StatusCode.Internal, $"Error decompressing message with '{encoding}'."));
        }

        return output.ToArray();
    }
}
