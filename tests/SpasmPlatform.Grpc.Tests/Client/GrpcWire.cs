using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Tests.Client;

/// <summary>Server-side gRPC wire helpers for the hand-written test endpoints.</summary>
internal static class GrpcWire
{
    public static async Task<T?> ReadRequestAsync<T>(HttpContext context)
        where T : class, IMessage<T>, new()
    {
        string? encoding = context.Request.Headers[GrpcProtocol.EncodingHeader];
        return await MessageFraming.ReadMessageAsync(context.Request.BodyReader, new MessageParser<T>(() => new T()), null, encoding, context.RequestAborted);
    }

    public static async Task<List<T>> ReadAllRequestsAsync<T>(HttpContext context)
        where T : class, IMessage<T>, new()
    {
        var messages = new List<T>();
        while (await ReadRequestAsync<T>(context) is { } message)
        {
            messages.Add(message);
        }

        return messages;
    }

    /// <summary>Sends the response headers now, before any message.</summary>
    public static async Task StartResponseAsync(HttpContext context, string contentType = GrpcProtocol.ContentType)
    {
        context.Response.ContentType = contentType;
        await context.Response.StartAsync(context.RequestAborted);
        // Kestrel's HTTP/2 StartAsync only queues the HEADERS frame; the flush puts it on the wire.
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    public static async Task WriteResponseAsync(HttpContext context, IMessage message, string? compression = null)
    {
        context.Response.ContentType ??= GrpcProtocol.ContentType;
        MessageFraming.WriteMessage(context.Response.BodyWriter, message, compression, null);
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    public static void SetStatus(HttpContext context, StatusCode code, string? message = null)
    {
        context.Response.AppendTrailer(GrpcProtocol.StatusHeader, ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (message is not null)
        {
            context.Response.AppendTrailer(GrpcProtocol.MessageHeader, PercentEncoding.Encode(message));
        }
    }

    /// <summary>A Trailers-Only response: the status travels in the only HEADERS frame, and there is no body.</summary>
    public static void TrailersOnly(HttpContext context, StatusCode code, string? message = null)
    {
        context.Response.ContentType = GrpcProtocol.ContentType;
        context.Response.Headers[GrpcProtocol.StatusHeader] = ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (message is not null)
        {
            context.Response.Headers[GrpcProtocol.MessageHeader] = PercentEncoding.Encode(message);
        }
    }

    /// <summary>A complete unary answer: headers, one message, OK trailers.</summary>
    public static async Task RespondAsync(HttpContext context, IMessage message)
    {
        await WriteResponseAsync(context, message);
        SetStatus(context, StatusCode.OK);
    }
}
