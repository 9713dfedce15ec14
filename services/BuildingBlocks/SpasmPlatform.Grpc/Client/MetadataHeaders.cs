using System.Net.Http.Headers;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Client;

/// <summary>Moves custom metadata between <see cref="Metadata"/> and HTTP header collections.</summary>
internal static class MetadataHeaders
{
    public static void AddTo(HttpRequestHeaders headers, Metadata metadata)
    {
        foreach (var entry in metadata)
        {
            // Protocol headers are set by the call itself; a copy from user metadata would corrupt the request.
            if (GrpcProtocol.IsReservedHeader(entry.Key) || entry.Key.Equals(GrpcProtocol.UserAgentHeader, StringComparison.Ordinal))
            {
                continue;
            }

            // The spec asks senders to omit base64 padding (receivers accept both).
            var value = entry.IsBinary ? Convert.ToBase64String(entry.ValueBytes).TrimEnd('=') : entry.Value;
            headers.TryAddWithoutValidation(entry.Key, value);
        }
    }

    /// <summary>
    /// Custom metadata from response headers or trailers. Protocol headers ("grpc-*", pseudo headers) are left out,
    /// and so is anything that is not valid metadata (a proxy may add such headers); it cannot fail the call.
    /// </summary>
    public static Metadata FromHeaders(HttpHeaders headers)
    {
        var metadata = new Metadata();
        foreach (var (key, values) in headers.NonValidated)
        {
            if (key.StartsWith("grpc-", StringComparison.OrdinalIgnoreCase) || GrpcProtocol.IsReservedHeader(key))
            {
                continue;
            }

            foreach (var value in values)
            {
                try
                {
                    foreach (var entry in Metadata.FromHeader(key.ToLowerInvariant(), value))
                    {
                        metadata.Add(entry);
                    }
                }
                catch (Exception ex) when (ex is ArgumentException or FormatException)
                {
                    continue;
                }
            }
        }

        return metadata;
    }
}
