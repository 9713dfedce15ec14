using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace SpasmPlatform.Grpc.Tests.Support;

/// <summary>
/// Speaks gRPC on the wire by hand over HttpClient (HTTP/2 prior knowledge), so server tests do not depend on
/// any gRPC client library: every byte sent and every header received is under the test's control.
/// </summary>
public static class RawGrpc
{
    public static HttpClient CreateClient(Uri address) => new(new SocketsHttpHandler { EnableMultipleHttp2Connections = true })
    {
        BaseAddress = address,
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(30),
    };

    public static byte[] Frame(IMessage message, string? compression = null)
    {
        var bytes = message.ToByteArray();
        return FrameBytes(compression is null ? bytes : Compress(bytes, compression), compression is not null);
    }

    public static byte[] FrameBytes(byte[] payload, bool compressedFlag = false)
    {
        var framed = new byte[5 + payload.Length];
        framed[0] = compressedFlag ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(framed, 5);
        return framed;
    }

    public static byte[] Compress(byte[] bytes, string algorithm)
    {
        using var output = new MemoryStream();
        using (Stream stream = algorithm == "gzip" ? new GZipStream(output, CompressionLevel.Fastest) : new ZLibStream(output, CompressionLevel.Fastest))
        {
            stream.Write(bytes);
        }

        return output.ToArray();
    }

    public static HttpRequestMessage Request(string path, HttpContent content, string contentType = "application/grpc")
    {
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = content,
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.TryAddWithoutValidation("te", "trailers");
        return request;
    }

    public static HttpRequestMessage Request(string path, params byte[][] chunks) => Request(path, new ChunkedContent(chunks));

    /// <summary>Sends and reads the whole response: status, headers, messages, trailers.</summary>
    public static async Task<RawResponse> SendAsync(HttpClient client, HttpRequestMessage request, CancellationToken cancellationToken = default) =>
        (await SendKeepingCutMessageAsync(client, request, cancellationToken)).Response;

    /// <summary>
    /// As <see cref="SendAsync"/>, but a body that ends inside a message (a write cut short, its status in the
    /// trailers) is returned with the whole messages before it and <c>Cut</c> set, for the caller to judge.
    /// </summary>
    public static async Task<(RawResponse Response, bool Cut)> SendKeepingCutMessageAsync(HttpClient client, HttpRequestMessage request, CancellationToken cancellationToken = default)
    {
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var whole = WholeFramesLength(body);
        return (new RawResponse(response.StatusCode, response.Headers, response.Content.Headers, response.TrailingHeaders, Unframe(body[..whole])), whole < body.Length);
    }

    private static int WholeFramesLength(byte[] body)
    {
        var offset = 0;
        while (body.Length - offset >= 5)
        {
            var next = offset + 5 + (long)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(offset + 1));
            if (next > body.Length)
            {
                break;
            }

            offset = (int)next;
        }

        return offset;
    }

    public static IReadOnlyList<(bool Compressed, byte[] Payload)> Unframe(byte[] body)
    {
        var messages = new List<(bool, byte[])>();
        var offset = 0;
        while (offset < body.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(offset + 1));
            messages.Add((body[offset] == 1, body.AsSpan(offset + 5, length).ToArray()));
            offset += 5 + length;
        }

        return messages;
    }

    /// <summary>
    /// Reads the next length-prefixed message of a response body as it streams in; null when the body ends cleanly
    /// between messages. Waits at most 10 s, so a server that stops sending fails the test instead of hanging it.
    /// </summary>
    public static async Task<T?> ReadMessageAsync<T>(PipeReader body, MessageParser<T> parser)
        where T : class, IMessage<T>
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var header = new byte[5];
        while (true)
        {
            var result = await body.ReadAsync(limit.Token);
            var buffer = result.Buffer;
            if (buffer.Length >= 5)
            {
                buffer.Slice(0, 5).CopyTo(header);
                var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1));
                if (buffer.Length >= 5 + length)
                {
                    var message = parser.ParseFrom(buffer.Slice(5, length).ToArray());
                    body.AdvanceTo(buffer.GetPosition(5 + length));
                    return message;
                }
            }

            if (result.IsCompleted)
            {
                Assert.True(buffer.IsEmpty, $"the body ended inside a message ({buffer.Length} bytes left)");
                body.AdvanceTo(buffer.End);
                return null;
            }

            body.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Sends request messages (then half-closes) and parses every response message.</summary>
    public static async Task<(RawResponse Raw, List<TResponse> Messages)> CallAsync<TResponse>(
        HttpClient client, string path, MessageParser<TResponse> parser, params IMessage[] requests)
        where TResponse : IMessage<TResponse>
    {
        var raw = await SendAsync(client, Request(path, requests.Select(r => Frame(r)).ToArray()));
        return (raw, raw.Messages.Select(m => parser.ParseFrom(m.Payload)).ToList());
    }
}
