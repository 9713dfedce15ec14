using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using Google.Protobuf;

namespace SpasmPlatform.Fuzzing;

/// <summary>Decides whether a response to a hostile request is a proper answer; returns why not, or null.</summary>
public static class ResponseChecker
{
    /// <summary>
    /// INTERNAL is what gRPC servers answer when the request's framing is wrong (a compressed flag without an
    /// encoding, an unknown encoding, a message past the limit); any other INTERNAL is a finding.
    /// </summary>
    public static readonly string[] ProtocolInternalMessages =
    [
        "Incomplete message.",
        "Error deserializing message.",
        "Request did not include a message.",
        "Additional data after the message received.",
        "Received a compressed message but grpc-encoding is 'identity'.",
        "Request did not include grpc-encoding value with compressed message.",
        "Request sent 'identity' grpc-encoding value with compressed message.",
        "Unexpected compressed flag value",
        "Error decompressing message with",
    ];

    /// <summary>
    /// grpc-dotnet's fixed answer when anything but an RpcException escapes a call, including its own failure to
    /// decode the request (bytes that do not parse, a garbage compressed flag, a bad gzip body): UNKNOWN with this text
    /// and nothing of the exception. The old layer answered INTERNAL for those; the library's answer is taken, so the
    /// response alone no longer tells a decoding failure from a handler that threw. The fuzz tests therefore also read
    /// the servers' logs: every exception logged there must be a decoding failure (<see cref="IsDecodingFailure"/>).
    /// </summary>
    public const string LibraryUnknownMessage = "Exception was thrown by handler.";

    /// <summary>Whether an exception grpc-dotnet logged ("Type: message") is its failure to decode a request, not our code's.</summary>
    public static bool IsDecodingFailure(string exception) =>
        exception.StartsWith("Google.Protobuf.InvalidProtocolBufferException:", StringComparison.Ordinal)
        || exception.StartsWith("System.IO.InvalidDataException:", StringComparison.Ordinal)
        // A declared length past what a message can be (the length-near-2^32 mutations).
        || exception.StartsWith("System.IO.IOException: Message too large", StringComparison.Ordinal);

    /// <summary>
    /// Whether an exception grpc-dotnet logged is its own race with a deadline that passed while it wrote the answer:
    /// the deadline completes the response, and the library's write of the handler's message then finds the stream
    /// closed (grpc/grpc-dotnet#783: made rare, not impossible). No handler of ours writes a unary response itself, and
    /// the client has already been told DEADLINE_EXCEEDED, so these are not findings. The fuzzer sends tiny deadlines.
    /// </summary>
    public static bool IsDeadlineWriteRace(string exception) =>
        exception.StartsWith("System.InvalidOperationException: Writing is not allowed after writer was completed", StringComparison.Ordinal)
        || exception.StartsWith("System.InvalidOperationException: Invalid ordering of calling StartAsync or CompleteAsync and Advance", StringComparison.Ordinal);

    /// <summary>
    /// A server may end a call before it has read the whole request (a stream it refused after its first message) and
    /// then reset the rest of the upload with CANCEL, as gRPC over HTTP/2 allows; a client still sending a body larger
    /// than the flow-control windows sees the reset instead of the answer (once in CI: 1.6 MB to the reflection
    /// service's stream). Small bodies are sent whole before any answer, so a reset of one is still a finding.
    /// </summary>
    private static bool AnsweredBeforeTheUploadEnded(HostileRequest request, string transportError) =>
        request.BodyLength > LargeUpload && transportError.Contains("HTTP/2 error code 'CANCEL'", StringComparison.Ordinal);

    // Above the HTTP/2 windows a server grants before its application reads (Kestrel: 96 KiB per stream, 128 KiB per connection).
    private const long LargeUpload = 256 * 1024;

    public static string? Check(FuzzTarget target, HostileRequest request, FuzzResponse response, List<byte[]>? okMessages = null)
    {
        if (request.Expectation == RequestExpectation.MayBeRefusedByTransport
            && (response.TransportError is not null || response.HttpStatus is HttpStatusCode.RequestHeaderFieldsTooLarge))
        {
            return null;
        }

        if (response.TransportError is not null && !AnsweredBeforeTheUploadEnded(request, response.TransportError))
        {
            return $"the exchange failed: {response.TransportError}";
        }

        if (response.TransportError is not null)
        {
            return null;
        }

        switch (request.Expectation)
        {
            case RequestExpectation.UnsupportedMediaType:
                return response.HttpStatus == HttpStatusCode.UnsupportedMediaType ? null : $"HTTP {(int?)response.HttpStatus} for a non-gRPC content type, not 415";
            case RequestExpectation.HttpClientError:
                return (int?)response.HttpStatus is >= 400 and < 500 ? null : $"HTTP {(int?)response.HttpStatus} for a {request.HttpMethod}, not a 4xx";
        }

        if (response.StillOpen)
        {
            return target.ServerStreams ? null : $"no answer within {FuzzClient.UnaryCap.TotalSeconds} s";
        }

        if (response.HttpStatus != HttpStatusCode.OK)
        {
            return $"HTTP {(int?)response.HttpStatus} instead of 200";
        }

        if (response.Headers.GetValueOrDefault("content-type") is not { } contentType || !contentType.StartsWith("application/grpc", StringComparison.Ordinal))
        {
            return $"content-type '{response.Headers.GetValueOrDefault("content-type")}'";
        }

        if (!int.TryParse(response.GrpcStatus, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code) || code is < 0 or > 16)
        {
            return $"grpc-status '{response.GrpcStatus}' is not a status code";
        }

        if (response.GrpcMessage is { } message && message.Any(c => c is < (char)0x20 or > (char)0x7E))
        {
            return "grpc-message is not percent-encoded printable ASCII";
        }

        var detail = Uri.UnescapeDataString(response.GrpcMessage ?? string.Empty);
        switch (code)
        {
            case 2 when detail != LibraryUnknownMessage:
                return $"UNKNOWN: {detail}";
            case 13 when !ProtocolInternalMessages.Any(allowed => detail.StartsWith(allowed, StringComparison.Ordinal)):
                return $"INTERNAL: {detail}";
            case 15:
                return $"DATA_LOSS: {detail}";
        }

        if (response.IsTrailersOnly && response.Body.Length > 0)
        {
            return "a trailers-only response with a body";
        }

        return CheckMessages(target, response, code, okMessages);
    }

    private static string? CheckMessages(FuzzTarget target, FuzzResponse response, int code, List<byte[]>? okMessages)
    {
        var body = response.Body;
        var count = 0;
        var offset = 0;
        while (offset < body.Length)
        {
            if (body.Length - offset < 5)
            {
                return "a response message prefix cut short";
            }

            var flag = body[offset];
            var length = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(offset + 1));
            if (flag > 1 || length > body.Length - offset - 5)
            {
                return $"a response message prefix that lies (flag {flag}, length {length})";
            }

            var payload = body.AsSpan(offset + 5, (int)length).ToArray();
            try
            {
                if (flag == 1)
                {
                    payload = Decompress(payload, response.Headers.GetValueOrDefault("grpc-encoding"));
                }

                target.Output.Parser.ParseFrom(payload);
            }
            catch (Exception e) when (e is InvalidProtocolBufferException or InvalidDataException or NotSupportedException)
            {
                return $"response message {count} does not parse as {target.Output.FullName}: {e.Message}";
            }

            okMessages?.Add(payload);
            count++;
            offset += 5 + (int)length;
        }

        if (code == 0 && !target.ServerStreams && count != 1)
        {
            return $"OK with {count} response messages for a unary RPC";
        }

        return null;
    }

    private static byte[] Decompress(byte[] payload, string? encoding)
    {
        using var input = new MemoryStream(payload);
        using Stream stream = encoding switch
        {
            "gzip" => new GZipStream(input, CompressionMode.Decompress),
            "deflate" => new ZLibStream(input, CompressionMode.Decompress),
            _ => throw new NotSupportedException($"compressed response with grpc-encoding '{encoding}'"),
        };
        using var output = new MemoryStream();
        stream.CopyTo(output);
        return output.ToArray();
    }
}
