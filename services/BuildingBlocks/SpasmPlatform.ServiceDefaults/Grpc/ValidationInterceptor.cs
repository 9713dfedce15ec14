using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace SpasmPlatform.ServiceDefaults.Grpc;

/// <summary>
/// Runs the <see cref="IRequestValidator{TRequest}"/> registered for a unary or server-streaming request before the
/// handler; any violation ends the call with INVALID_ARGUMENT and a google.rpc.BadRequest listing all of them.
/// </summary>
public sealed class ValidationInterceptor : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Validate(request, context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Validate(request, context);
        return continuation(request, responseStream, context);
    }

    private static void Validate<TRequest>(TRequest request, ServerCallContext context)
    {
        var validator = context.GetHttpContext().RequestServices.GetService<IRequestValidator<TRequest>>();
        if (validator is null)
        {
            return;
        }

        var violations = validator.Validate(request).ToList();
        if (violations.Count > 0)
        {
            throw RichErrors.InvalidArgument(
                violations.Count == 1 ? $"Invalid request: {violations[0].Field} {violations[0].Description}" : $"Invalid request: {violations.Count} fields are invalid.",
                violations.Select(v => (v.Field, v.Description)));
        }
    }
}
