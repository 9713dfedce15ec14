using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;

namespace SpasmPlatform.Grpc.Protocol;

/// <summary>Builders and readers for rich error details (google.rpc.Status in grpc-status-details-bin).</summary>
public static class RichErrors
{
    public const string DetailsTrailer = "grpc-status-details-bin";

    /// <summary>INVALID_ARGUMENT listing every field violation at once, so a client can fix them all in one go.</summary>
    public static RpcException InvalidArgument(string message, IEnumerable<(string Field, string Description)> violations)
    {
        var badRequest = new BadRequest();
        foreach (var (field, description) in violations)
        {
            badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = field, Description = description });
        }

        return FromDetails(StatusCode.InvalidArgument, message, badRequest);
    }

    /// <summary>RESOURCE_EXHAUSTED with a google.rpc.RetryInfo saying when the caller may try again.</summary>
    public static RpcException ResourceExhausted(string message, TimeSpan retryDelay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retryDelay, TimeSpan.Zero);
        return FromDetails(StatusCode.ResourceExhausted, message, new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryDelay) });
    }

    /// <summary>The retry delay the server sent in a google.rpc.RetryInfo detail, or null when it sent none.</summary>
    public static TimeSpan? GetRetryDelay(this RpcException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.RichStatus?.GetDetail<RetryInfo>()?.RetryDelay?.ToTimeSpan();
    }

    public static RpcException FromDetails(StatusCode code, string message, params IMessage[] details)
    {
        var status = new Google.Rpc.Status { Code = (int)code, Message = message };
        foreach (var detail in details)
        {
            status.Details.Add(Any.Pack(detail));
        }

        return new RpcException(status);
    }

    /// <summary>Unpacks the first detail of type <typeparamref name="T"/>, or null.</summary>
    public static T? GetDetail<T>(this Google.Rpc.Status status) where T : class, IMessage<T>, new()
    {
        var descriptor = new T().Descriptor;
        foreach (var any in status.Details)
        {
            if (any.Is(descriptor))
            {
                return any.Unpack<T>();
            }
        }

        return null;
    }
}
