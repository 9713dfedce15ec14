using SpasmPlatform.Grpc.Client;

namespace SpasmPlatform.Grpc.Interceptors;

public static class CallInvokerExtensions
{
    /// <summary>
    /// Wraps the invoker so calls pass through the interceptors; <c>interceptors[0]</c> runs first (outermost),
    /// as in Grpc.Core. Calling Intercept again adds interceptors outside the existing ones.
    /// </summary>
    public static CallInvoker Intercept(this CallInvoker invoker, params Interceptor[] interceptors)
    {
        ArgumentNullException.ThrowIfNull(invoker);
        ArgumentNullException.ThrowIfNull(interceptors);
        for (var i = interceptors.Length - 1; i >= 0; i--)
        {
            invoker = new InterceptingCallInvoker(invoker, interceptors[i] ?? throw new ArgumentException("An interceptor is null.", nameof(interceptors)));
        }

        return invoker;
    }
}
