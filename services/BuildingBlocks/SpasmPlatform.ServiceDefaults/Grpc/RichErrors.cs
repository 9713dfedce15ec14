using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace SpasmPlatform.ServiceDefaults.Grpc;

/// <summary>
/// The platform's rich errors (google.rpc.Status in grpc-status-details-bin, through Grpc.StatusProto), kept bounded:
/// a request can name far more bad fields than HTTP/2 peers accept in trailers, and field paths and descriptions may
/// quote what the client sent.
/// </summary>
public static class RichErrors
{
    /// <summary>At most this many field violations are listed; the rest are counted in one last entry.</summary>
    public const int MaxFieldViolations = 100;

    /// <summary>Field paths, descriptions and status messages are cut to this many characters.</summary>
    public const int MaxText = 512;

    /// <summary>
    /// All the listed violations' text together stays under this: the details travel base64-encoded in a trailer, and
    /// grpcio and Grpc.Net.Client refuse header blocks past 8-16 KiB and 64 KiB (then the client sees UNAVAILABLE, not
    /// the status, and may retry it).
    /// </summary>
    public const int MaxDetailsText = 4096;

    public const string Domain = "spasm.platform";

    /// <summary>INVALID_ARGUMENT listing every field violation at once (up to <see cref="MaxFieldViolations"/>).</summary>
    public static RpcException InvalidArgument(string message, IEnumerable<(string Field, string Description)> violations)
    {
        var badRequest = new BadRequest();
        var more = 0;
        var text = 0;
        foreach (var (field, description) in violations)
        {
            var violation = new BadRequest.Types.FieldViolation { Field = Cut(field), Description = Cut(description) };
            if (badRequest.FieldViolations.Count == MaxFieldViolations || text + violation.Field.Length + violation.Description.Length > MaxDetailsText)
            {
                more++;
                continue;
            }

            text += violation.Field.Length + violation.Description.Length;
            badRequest.FieldViolations.Add(violation);
        }

        if (more > 0)
        {
            badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = "*", Description = $"{more} more violations not listed" });
        }

        return Error(Code.InvalidArgument, message, badRequest);
    }

    /// <summary>RESOURCE_EXHAUSTED with a google.rpc.RetryInfo saying when the caller may try again.</summary>
    public static RpcException ResourceExhausted(string message, TimeSpan retryDelay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retryDelay, TimeSpan.Zero);
        return Error(Code.ResourceExhausted, message, new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryDelay) });
    }

    /// <summary>A refusal with a google.rpc.ErrorInfo whose reason a client can branch on (e.g. "ROLE_NOT_ALLOWED").</summary>
    public static RpcException Refused(Code code, string message, string reason) =>
        Error(code, message, new ErrorInfo { Reason = reason, Domain = Domain });

    public static RpcException Error(Code code, string message, params IMessage[] details)
    {
        var status = new Google.Rpc.Status { Code = (int)code, Message = Cut(message) };
        foreach (var detail in details)
        {
            status.Details.Add(Any.Pack(detail));
        }

        return status.ToRpcException();
    }

    public static string Cut(string text) => text.Length <= MaxText ? text : string.Concat(text.AsSpan(0, MaxText), "…");
}
