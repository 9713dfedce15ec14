using System.Globalization;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Server;

/// <summary>
/// A call answered with its status alone: HTTP 200, application/grpc, and grpc-status / grpc-message /
/// grpc-status-details-bin in the only HEADERS frame (END_STREAM). Used for every answer given before a handler runs
/// (unknown methods, rate limits) and by calls that fail before their first message.
/// </summary>
public static class TrailersOnlyResponse
{
    /// <summary>Answers the call with <paramref name="error"/>'s status and rich details; nothing is written to the body.</summary>
    public static void Write(HttpContext context, RpcException error)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(error);
        Write(context, error.Status, error.RichStatus);
    }

    public static void Write(HttpContext context, Status status, Google.Rpc.Status? richStatus = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.Response;
        if (response.HasStarted)
        {
            throw new InvalidOperationException("A trailers-only answer must be the whole response, but this one has already started.");
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcProtocol.ContentType;
        WriteStatusHeaders(response.Headers, status, richStatus);
    }

    internal static void WriteStatusHeaders(IHeaderDictionary headers, Status status, Google.Rpc.Status? richStatus)
    {
        headers[GrpcProtocol.StatusHeader] = ((int)status.StatusCode).ToString(CultureInfo.InvariantCulture);
        if (!string.IsNullOrEmpty(status.Detail))
        {
            headers[GrpcProtocol.MessageHeader] = EncodeMessage(status.Detail);
        }

        if (richStatus is not null)
        {
            headers[RichErrors.DetailsTrailer] = Convert.ToBase64String(richStatus.ToByteArray());
        }
    }

    /// <summary>grpc-message, cut to a length every peer's header limits accept (a status must stay readable).</summary>
    internal static string EncodeMessage(string detail) =>
        PercentEncoding.Encode(detail.Length <= GrpcProtocol.MaxStatusMessageLength ? detail : string.Concat(detail.AsSpan(0, GrpcProtocol.MaxStatusMessageLength), "…"));
}
