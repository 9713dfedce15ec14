using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace SpasmPlatform.ServiceDefaults;

/// <summary>
/// Names ASP.NET Core's request span after the gRPC method ("package.Service/Method") and gives it the rpc.*
/// attributes of the OpenTelemetry RPC conventions, grpc status code included: the instrumentation's own gRPC support
/// is experimental and off by default, and an auditor searching traces looks for the method, not "POST".
/// </summary>
internal static class GrpcServerSpans
{
    public static void OnRequest(Activity activity, HttpRequest request)
    {
        if (request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) != true || request.Path.Value is not { Length: > 1 } path)
        {
            return;
        }

        var method = path.TrimStart('/');
        var slash = method.LastIndexOf('/');
        activity.DisplayName = method;
        activity.SetTag("rpc.system", "grpc");
        if (slash > 0)
        {
            activity.SetTag("rpc.service", method[..slash]);
            activity.SetTag("rpc.method", method[(slash + 1)..]);
        }
    }

    public static void OnResponse(Activity activity, HttpResponse response)
    {
        if (activity.GetTagItem("rpc.system") is null)
        {
            return;
        }

        // The instrumentation renames the span after its route ("POST /package.Service/Method") when it stops, just
        // before this runs: the method's own name is put back.
        if (response.HttpContext.Request.Path.Value is { Length: > 1 } path)
        {
            activity.DisplayName = path.TrimStart('/');
        }

        var status = response.HttpContext.Features.Get<IHttpResponseTrailersFeature>()?.Trailers["grpc-status"].ToString();
        if (string.IsNullOrEmpty(status))
        {
            status = response.Headers["grpc-status"].ToString();
        }

        if (long.TryParse(status, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            activity.SetTag("rpc.grpc.status_code", code);
            if (code != 0)
            {
                activity.SetStatus(ActivityStatusCode.Error);
            }
        }
    }
}
