using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace SpasmPlatform.Grpc.Server;

/// <summary>
/// Adds response headers and trailers. ASP.NET Core's Append helpers silently skip an empty value, but an empty
/// "-bin" value is legitimate gRPC metadata (zero-length bytes) that grpcio and grpc-js send and expect back.
/// </summary>
internal static class HeaderWriter
{
    public static void Add(IHeaderDictionary headers, string key, string value) =>
        headers[key] = StringValues.Concat(headers[key], value);

    public static void AddTrailer(HttpResponse response, string key, string value)
    {
        var trailers = response.HttpContext.Features.Get<IHttpResponseTrailersFeature>()?.Trailers
            ?? throw new InvalidOperationException("The transport does not support trailers; gRPC needs HTTP/2.");
        Add(trailers, key, value);
    }
}
