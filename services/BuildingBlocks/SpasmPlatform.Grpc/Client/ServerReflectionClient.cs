using Grpc.Reflection.V1Alpha;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Client;

/// <summary>Client of the standard grpc.reflection.v1alpha.ServerReflection service (grpc/grpc doc/server-reflection.md).</summary>
public sealed class ServerReflectionClient : ClientBase
{
    private static readonly Method<ServerReflectionRequest, ServerReflectionResponse> InfoMethod =
        Method<ServerReflectionRequest, ServerReflectionResponse>.FromDescriptor(ReflectionReflection.Descriptor.Services[0].FindMethodByName("ServerReflectionInfo"));

    public ServerReflectionClient(GrpcChannel channel)
        : base(channel)
    {
    }

    public ServerReflectionClient(CallInvoker callInvoker)
        : base(callInvoker)
    {
    }

    /// <summary>A reflection session: each request written gets one response, in order.</summary>
    public AsyncDuplexStreamingCall<ServerReflectionRequest, ServerReflectionResponse> ServerReflectionInfo(Metadata? headers = null, DateTime? deadline = null, CancellationToken cancellationToken = default) =>
        ServerReflectionInfo(new CallOptions(headers, deadline, cancellationToken));

    public AsyncDuplexStreamingCall<ServerReflectionRequest, ServerReflectionResponse> ServerReflectionInfo(CallOptions options) =>
        CallInvoker.AsyncDuplexStreamingCall(InfoMethod, null, options);
}
