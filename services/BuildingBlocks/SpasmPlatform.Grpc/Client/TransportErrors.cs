using System.Net.Http;
using System.Net.Sockets;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Client;

/// <summary>Maps failures of the HTTP/2 transport to statuses, per the error table of PROTOCOL-HTTP2.md.</summary>
internal static class TransportErrors
{
    private const long Http2Cancel = 0x8;

    public static Status ToStatus(Exception exception, bool deadlineExceeded)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is HttpProtocolException protocolError)
            {
                // A server that enforces the deadline resets the stream with CANCEL, possibly before our own timer fires.
                if (protocolError.ErrorCode == Http2Cancel && deadlineExceeded)
                {
                    return new Status(StatusCode.DeadlineExceeded, "Deadline exceeded.");
                }

                return new Status(FromHttp2ErrorCode(protocolError.ErrorCode), $"HTTP/2 stream reset by the server (error code {protocolError.ErrorCode}): {protocolError.Message}");
            }
        }

        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is HttpRequestException or IOException or SocketException or TimeoutException)
            {
                return new Status(StatusCode.Unavailable, $"Error connecting to the server: {exception.Message}");
            }
        }

        if (exception is OperationCanceledException or ObjectDisposedException)
        {
            // Cancelled by the transport itself rather than by the call (the HttpClient was disposed).
            return new Status(StatusCode.Cancelled, $"The transport canceled the call: {exception.Message}");
        }

        return new Status(StatusCode.Internal, $"Error in the gRPC call: {exception.GetType().Name}: {exception.Message}");
    }

    private static StatusCode FromHttp2ErrorCode(long errorCode) => errorCode switch
    {
        0x7 => StatusCode.Unavailable, // REFUSED_STREAM: the server did not process the request.
        Http2Cancel => StatusCode.Cancelled,
        0xB => StatusCode.ResourceExhausted, // ENHANCE_YOUR_CALM
        0xC => StatusCode.PermissionDenied, // INADEQUATE_SECURITY
        _ => StatusCode.Internal,
    };
}
