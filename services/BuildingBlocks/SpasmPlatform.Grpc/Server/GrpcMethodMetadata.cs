using ProtoMethodDescriptor = Google.Protobuf.Reflection.MethodDescriptor;

namespace SpasmPlatform.Grpc.Server;

/// <summary>Endpoint metadata naming the RPC an endpoint serves (for authorization policies and telemetry).</summary>
public sealed record GrpcMethodMetadata(ProtoMethodDescriptor Method);
