using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Client;

/// <summary>How a call ended: its status, trailers and any google.rpc.Status from grpc-status-details-bin.</summary>
internal readonly record struct CallOutcome(Status Status, Metadata Trailers, Google.Rpc.Status? RichStatus = null)
{
    public static CallOutcome Of(StatusCode code, string detail) => new(new Status(code, detail), new Metadata());

    public RpcException ToException() => new(Status, Trailers, RichStatus);
}
