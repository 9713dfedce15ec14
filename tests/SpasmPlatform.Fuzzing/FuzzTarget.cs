using Google.Protobuf.Reflection;

namespace SpasmPlatform.Fuzzing;

/// <summary>One RPC as the fuzzer sees it: where to send, what it reads, whether it may change stored data.</summary>
public sealed record FuzzTarget(MethodDescriptor Method)
{
    public string Path => $"/{Method.Service.FullName}/{Method.Name}";

    public string Service => Method.Service.FullName;

    public MessageDescriptor Input => Method.InputType;

    public MessageDescriptor Output => Method.OutputType;

    public bool ClientStreams => Method.IsClientStreaming;

    public bool ServerStreams => Method.IsServerStreaming;

    /// <summary>RPCs not declared free of side effects (proto idempotency_level) are treated as writes.</summary>
    public bool MayWrite => Method.GetOptions()?.IdempotencyLevel != MethodOptions.Types.IdempotencyLevel.NoSideEffects;

    public override string ToString() => Path;
}
