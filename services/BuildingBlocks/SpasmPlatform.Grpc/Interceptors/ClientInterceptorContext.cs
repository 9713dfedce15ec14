using Google.Protobuf;
using SpasmPlatform.Grpc.Client;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Interceptors;

/// <summary>What a client interceptor knows about the call it intercepts; pass a changed copy on to alter the call.</summary>
public readonly record struct ClientInterceptorContext<TRequest, TResponse>(Method<TRequest, TResponse> Method, string? Host, CallOptions Options)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>;
