using ProtoServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace SpasmPlatform.Grpc.Server;

/// <summary>
/// A service implementation names the proto service it implements. At start-up every RPC of that service
/// is bound to a public method with the RPC's name and shape; a missing one fails start-up.
/// </summary>
public interface IGrpcService
{
    static abstract ProtoServiceDescriptor Descriptor { get; }
}
