using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;

namespace SpasmPlatform.Grpc.Protocol;

/// <summary>Builders and readers for rich error details (google.rpc.Status in grpc-status-details-bin).</summary>
public static class RichErrors
{
    public const string DetailsTrailer = "grpc-status-details-bin";

    /// <summary>At most this many field violations are listed; a request can name far more (one per element of a huge repeated field).</summary>
    public const int MaxFieldViolations = 100;

    /// <summary>Field paths and descriptions are cut to this many characters: they may quote what the client sent.</summary>
    public const int MaxViolationText = 512;

    /// <summary>
    /// INVALID_ARGUMENT listing every field violation at once, so a client can fix them all in one go; past
    /// <see cref="MaxFieldViolations"/> the rest are counted in one last entry, so the trailers stay within what HTTP/2
    /// peers accept (found by the fuzzer: 100,000 violations made trailers no client could read).
    /// </summary>
    public static RpcException InvalidArgument(string message, IEnumerable<(string Field, string Description)> violations)
    {
        var badRequest = new BadRequest();
        var more = 0;
        foreach (var (field, description) in violations)
        {
            if (badRequest.FieldViolations.Count == MaxFieldViolations)
            {
                more++;
                continue;
            }

            badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = Cut(field), Description = Cut(description) });
        }

        if (more > 0)
        {
            badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = "*", Description = $"{more} more violations not listed" });
        }

        return FromDetails(StatusCode.InvalidArgument, Cut(message), badRequest);
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

    private static string Cut(string text) => text.Length <= MaxViolationText ? text : string.Concat(text.AsSpan(0, MaxViolationText), "…");

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
