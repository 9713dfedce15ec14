namespace SpasmPlatform.Grpc.Server;

/// <summary>The composed handler for one RPC; exactly one member is set, matching the RPC's shape.</summary>
internal sealed record ServerMethodPipeline<TRequest, TResponse>(
    UnaryServerMethod<TRequest, TResponse>? Unary = null,
    ClientStreamingServerMethod<TRequest, TResponse>? ClientStreaming = null,
    ServerStreamingServerMethod<TRequest, TResponse>? ServerStreaming = null,
    DuplexStreamingServerMethod<TRequest, TResponse>? DuplexStreaming = null)
    where TRequest : class
    where TResponse : class;
