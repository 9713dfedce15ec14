using System.Buffers.Binary;
using System.IO.Compression;

namespace SpasmPlatform.Fuzzing;

/// <summary>The 5-byte gRPC message prefix written by hand, so the flag and the declared length can lie.</summary>
public static class Framing
{
    public static byte[] Frame(byte[] payload, byte flag = 0, uint? declaredLength = null)
    {
        var framed = new byte[5 + payload.Length];
        framed[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), declaredLength ?? (uint)payload.Length);
        payload.CopyTo(framed, 5);
        return framed;
    }

    public static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }

    /// <summary>Splits bytes into random chunks (each its own DATA frame), to cross every boundary the reader handles.</summary>
    public static List<byte[]> Split(Random random, byte[] bytes)
    {
        var chunks = new List<byte[]>();
        var offset = 0;
        while (offset < bytes.Length)
        {
            var length = Math.Min(bytes.Length - offset, random.Next(2) == 0 ? random.Next(1, 8) : random.Next(1, 64 * 1024));
            chunks.Add(bytes[offset..(offset + length)]);
            offset += length;
        }

        return chunks;
    }
}
