namespace SpasmPlatform.Grpc.Protocol;

public enum MethodType
{
    Unary,
    ClientStreaming,
    ServerStreaming,
    DuplexStreaming,
}
