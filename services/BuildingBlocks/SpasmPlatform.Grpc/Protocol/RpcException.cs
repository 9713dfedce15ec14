namespace SpasmPlatform.Grpc.Protocol;

/// <summary>
/// A call that ended with a non-OK status. On the server, throwing it sets the call's status, trailers
/// and (when <see cref="RichStatus"/> is set) grpc-status-details-bin; on the client it carries what the server sent.
/// </summary>
public class RpcException : Exception
{
    public RpcException(Status status, Metadata? trailers = null, Google.Rpc.Status? richStatus = null)
        : base(status.ToString())
    {
        Status = status;
        Trailers = trailers ?? new Metadata();
        RichStatus = richStatus;
    }

    public RpcException(Google.Rpc.Status richStatus, Metadata? trailers = null)
        : this(new Status((StatusCode)richStatus.Code, richStatus.Message), trailers, richStatus)
    {
    }

    public Status Status { get; }

    public StatusCode StatusCode => Status.StatusCode;

    public Metadata Trailers { get; }

    /// <summary>The google.rpc.Status sent or received in grpc-status-details-bin, if any.</summary>
    public Google.Rpc.Status? RichStatus { get; }
}
