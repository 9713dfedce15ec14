using System.IO.Compression;

namespace SpasmPlatform.Grpc.Protocol;

/// <summary>Message compression algorithms named by grpc-encoding. Identity means "not compressed".</summary>
public static class MessageCompression
{
    public const string Gzip = "gzip";
    public const string Deflate = "deflate";

    /// <summary>The value sent in grpc-accept-encoding.</summary>
    public const string AcceptEncoding = "identity,gzip,deflate";

    public static bool IsSupported(string name) =>
        name is GrpcProtocol.IdentityEncoding or Gzip or Deflate;

    public static Stream CreateCompressionStream(string name, Stream output) => name switch
    {
        Gzip => new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true),
        // gRPC's "deflate" is the zlib format (RFC 1950), not raw deflate.
        Deflate => new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unsupported compression algorithm."),
    };

    public static Stream CreateDecompressionStream(string name, Stream input) => name switch
    {
        Gzip => new GZipStream(input, CompressionMode.Decompress, leaveOpen: true),
        Deflate => new ZLibStream(input, CompressionMode.Decompress, leaveOpen: true),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unsupported compression algorithm."),
    };

    /// <summary>True if a grpc-accept-encoding list names the algorithm.</summary>
    public static bool IsAccepted(string? acceptEncoding, string name)
    {
        if (string.IsNullOrEmpty(acceptEncoding))
        {
            return false;
        }

        foreach (var part in acceptEncoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (string.Equals(part, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
