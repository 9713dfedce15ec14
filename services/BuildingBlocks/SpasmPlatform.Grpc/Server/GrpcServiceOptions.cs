using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Server;

public sealed class GrpcServiceOptions
{
    /// <summary>Largest request message accepted; larger ones end the call with RESOURCE_EXHAUSTED. Null: no limit.</summary>
    public int? MaxReceiveMessageSize { get; set; } = GrpcProtocol.DefaultMaxReceiveMessageSize;

    /// <summary>Largest response message sent. Null: no limit.</summary>
    public int? MaxSendMessageSize { get; set; }

    /// <summary>Default compression for responses ("gzip"), used when the client lists it in grpc-accept-encoding.</summary>
    public string? ResponseCompressionAlgorithm { get; set; }

    /// <summary>Puts exception messages in grpc-message. Off by default: clients must never see internals.</summary>
    public bool EnableDetailedErrors { get; set; }

    /// <summary>Server interceptors, outermost first. Created once at start-up (singletons) from DI.</summary>
    public IList<Type> Interceptors { get; } = [];
}
