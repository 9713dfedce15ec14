using Grpc.Core;
using SpasmPlatform.ServiceDefaults.Grpc;

namespace SpasmPlatform.ServiceDefaults.Security;

public static class CallerContextExtensions
{
    private static readonly object Key = typeof(CallerIdentity);

    /// <summary>The authenticated caller of this call (set by <see cref="AuthorizationInterceptor"/> before any handler runs).</summary>
    public static CallerIdentity GetCaller(this ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.GetHttpContext().Items.TryGetValue(Key, out var value) && value is CallerIdentity caller
            ? caller
            : throw new InvalidOperationException("No caller on this call: the authorization interceptor is not installed.");
    }

    internal static void SetCaller(this ServerCallContext context, CallerIdentity caller) => context.GetHttpContext().Items[Key] = caller;
}
