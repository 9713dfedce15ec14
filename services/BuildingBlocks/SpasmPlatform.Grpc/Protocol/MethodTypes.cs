using Google.Protobuf.Reflection;

namespace SpasmPlatform.Grpc.Protocol;

public static class MethodTypes
{
    public static MethodType Of(MethodDescriptor descriptor) => (descriptor.IsClientStreaming, descriptor.IsServerStreaming) switch
    {
        (false, false) => MethodType.Unary,
        (true, false) => MethodType.ClientStreaming,
        (false, true) => MethodType.ServerStreaming,
        (true, true) => MethodType.DuplexStreaming,
    };
}
