using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Client;

/// <summary>Reads a call's outcome from response headers (Trailers-Only, HTTP errors) or from the trailers.</summary>
internal static class ResponseStatusReader
{
    /// <summary>
    /// The outcome the response headers alone decide, or null when a normal gRPC response body follows.
    /// A grpc-status in the headers always wins: http-grpc-status-mapping.md applies only when it is missing.
    /// </summary>
    public static CallOutcome? FromHeaders(HttpResponseMessage response)
    {
        if (TryRead(response.Headers, out var outcome))
        {
            return outcome;
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            var code = HttpStatusMapping.ToStatusCode(response.StatusCode);
            return CallOutcome.Of(code, $"Bad gRPC response. HTTP status code: {(int)response.StatusCode} ({response.ReasonPhrase ?? response.StatusCode.ToString()}).");
        }

        var contentType = response.Content.Headers.NonValidated.TryGetValues("content-type", out var values) ? values.ToString() : null;
        if (string.IsNullOrEmpty(contentType))
        {
            return CallOutcome.Of(StatusCode.Internal, "Bad gRPC response. Response did not have a content-type header.");
        }

        if (!GrpcProtocol.IsGrpcContentType(contentType))
        {
            return CallOutcome.Of(StatusCode.Internal, $"Bad gRPC response. Invalid content-type value: {contentType}.");
        }

        return null;
    }

    /// <summary>The outcome from the trailers; only valid once the response body has been read to its end.</summary>
    public static CallOutcome FromTrailers(HttpResponseMessage response)
    {
        if (TryRead(response.TrailingHeaders, out var outcome))
        {
            return outcome;
        }

        return new CallOutcome(
            new Status(StatusCode.Unknown, "Bad gRPC response. No grpc-status found in the response trailers."),
            MetadataHeaders.FromHeaders(response.TrailingHeaders));
    }

    private static bool TryRead(HttpHeaders headers, out CallOutcome outcome)
    {
        outcome = default;
        if (!headers.NonValidated.TryGetValues(GrpcProtocol.StatusHeader, out var statusValues))
        {
            return false;
        }

        var raw = statusValues.ToString();
        var metadata = MetadataHeaders.FromHeaders(headers);
        if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            outcome = new CallOutcome(new Status(StatusCode.Unknown, $"Bad gRPC response. Unexpected grpc-status value '{raw}'."), metadata);
            return true;
        }

        var detail = headers.NonValidated.TryGetValues(GrpcProtocol.MessageHeader, out var messageValues)
            ? PercentEncoding.Decode(messageValues.ToString())
            : string.Empty;

        // statuscodes.md: codes this library does not know are treated as UNKNOWN.
        var statusCode = Enum.IsDefined((StatusCode)code) ? (StatusCode)code : StatusCode.Unknown;
        outcome = new CallOutcome(new Status(statusCode, detail), metadata, ReadRichStatus(headers));
        return true;
    }

    private static Google.Rpc.Status? ReadRichStatus(HttpHeaders headers)
    {
        if (!headers.NonValidated.TryGetValues(RichErrors.DetailsTrailer, out var values))
        {
            return null;
        }

        try
        {
            return Google.Rpc.Status.Parser.ParseFrom(Metadata.DecodeBase64Lenient(values.ToString()));
        }
        catch (Exception ex) when (ex is FormatException or InvalidProtocolBufferException)
        {
            // Broken details must not hide the status itself.
            return null;
        }
    }
}
