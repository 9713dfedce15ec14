namespace SpasmPlatform.Grpc.Client;

/// <summary>Base of typed clients: they build calls from static Method objects and hand them to the invoker.</summary>
public abstract class ClientBase
{
    protected ClientBase(CallInvoker callInvoker)
    {
        ArgumentNullException.ThrowIfNull(callInvoker);
        CallInvoker = callInvoker;
    }

    protected ClientBase(GrpcChannel channel)
        : this(channel?.CreateCallInvoker() ?? throw new ArgumentNullException(nameof(channel)))
    {
    }

    protected CallInvoker CallInvoker { get; }
}
