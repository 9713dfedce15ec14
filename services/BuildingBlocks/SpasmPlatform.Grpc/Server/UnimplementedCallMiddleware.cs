using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Server;

/// <summary>
/// Answers gRPC calls that matched no endpoint with UNIMPLEMENTED instead of a bare 404. It runs after the endpoint
/// middleware rather than as a catch-all route, because a "{service}/{method}" route would make routing capture
/// values on every call, including the ones a real method serves.
/// </summary>
internal sealed class UnimplementedCallMiddleware(GrpcServiceRegistry registry) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        next(app);
        app.Run(AnswerAsync);
    };

    private Task AnswerAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method) || !GrpcProtocol.IsGrpcContentType(request.ContentType) || !ProtocolGuard.Check(context))
        {
            if (context.Response.StatusCode == StatusCodes.Status200OK && !context.Response.HasStarted)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
            }

            return Task.CompletedTask;
        }

        var path = request.Path.Value ?? string.Empty;
        var slash = path.IndexOf('/', 1);
        var service = slash > 1 ? path[1..slash] : string.Empty;
        var detail = registry.Contains(service) ? "Method is unimplemented." : "Service is unimplemented.";
        TrailersOnlyResponse.Write(context, new Status(StatusCode.Unimplemented, detail));
        return Task.CompletedTask;
    }
}
