using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace SpasmPlatform.Grpc.Protocol;

/// <summary>One RPC: its shape, its path and how to read its messages. Built once from the proto descriptor.</summary>
public sealed class Method<TRequest, TResponse>
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public Method(MethodType type, string serviceName, string name, bool isIdempotent = false)
    {
        Type = type;
        ServiceName = serviceName;
        Name = name;
        FullName = $"/{serviceName}/{name}";
        IsIdempotent = isIdempotent;
        RequestParser = ParserOf<TRequest>();
        ResponseParser = ParserOf<TResponse>();
    }

    public MethodType Type { get; }

    public string ServiceName { get; }

    public string Name { get; }

    /// <summary>The HTTP/2 :path, "/package.Service/Method".</summary>
    public string FullName { get; }

    /// <summary>Safe to retry after UNAVAILABLE: no side effects, or the same effect however often it runs.</summary>
    public bool IsIdempotent { get; }

    public MessageParser<TRequest> RequestParser { get; }

    public MessageParser<TResponse> ResponseParser { get; }

    /// <summary>Builds the method from its descriptor; idempotency comes from the standard idempotency_level option.</summary>
    public static Method<TRequest, TResponse> FromDescriptor(MethodDescriptor descriptor)
    {
        if (descriptor.InputType.ClrType != typeof(TRequest) || descriptor.OutputType.ClrType != typeof(TResponse))
        {
            throw new ArgumentException($"{descriptor.FullName} takes {descriptor.InputType.ClrType} and returns {descriptor.OutputType.ClrType}.", nameof(descriptor));
        }

        return new Method<TRequest, TResponse>(MethodTypes.Of(descriptor), descriptor.Service.FullName, descriptor.Name, IsIdempotentMethod(descriptor));
    }

    private static bool IsIdempotentMethod(MethodDescriptor descriptor)
    {
        var level = descriptor.GetOptions()?.IdempotencyLevel ?? MethodOptions.Types.IdempotencyLevel.IdempotencyUnknown;
        return level is MethodOptions.Types.IdempotencyLevel.Idempotent or MethodOptions.Types.IdempotencyLevel.NoSideEffects;
    }

    private static MessageParser<T> ParserOf<T>() where T : class, IMessage<T>
    {
        // Generated messages expose a static Parser property; read once per closed generic type.
        var property = typeof(T).GetProperty("Parser", System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            ?? throw new InvalidOperationException($"{typeof(T)} has no static Parser; is it a generated protobuf message?");
        return (MessageParser<T>)property.GetValue(null)!;
    }
}
