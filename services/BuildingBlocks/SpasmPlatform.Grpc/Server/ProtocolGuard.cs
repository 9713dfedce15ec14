using Microsoft.AspNetCore.Http;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Server;

/// <summary>Rejects requests that are not gRPC over HTTP/2 before any call state exists.</summary>
internal static class ProtocolGuard
{
    public static bool Check(HttpContext http)
    {
        var request = http.Request;
        if (!HttpProtocol.IsHttp2(request.Protocol) && !HttpProtocol.IsHttp3(request.Protocol))
        {
            http.Response.Headers.Upgrade = request.IsHttps ? "h2" : "h2c";
            http.Response.Headers.Connection = "Upgrade";
            Reject(http, StatusCodes.Status426UpgradeRequired, $"Request protocol '{request.Protocol}' is not supported.");
            return false;
        }

        if (!GrpcProtocol.IsGrpcContentType(request.ContentType))
        {
            Reject(http, StatusCodes.Status415UnsupportedMediaType, $"Content-Type '{request.ContentType}' is not supported.");
            return false;
        }

        return true;
    }

    private static void Reject(HttpContext http, int httpStatus, string message)
    {
        http.Response.StatusCode = httpStatus;
        http.Response.Headers[GrpcProtocol.StatusHeader] = ((int)StatusCode.Internal).ToString(System.Globalization.CultureInfo.InvariantCulture);
        http.Response.Headers[GrpcProtocol.MessageHeader] = PercentEncoding.Encode(message);
    }
}
