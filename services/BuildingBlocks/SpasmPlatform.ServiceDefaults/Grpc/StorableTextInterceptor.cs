using System.Collections;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core.Interceptors;
using Grpc.Core;

namespace SpasmPlatform.ServiceDefaults.Grpc;

/// <summary>
/// Refuses requests whose strings hold U+0000 with INVALID_ARGUMENT, one field violation per field. Protobuf allows the
/// character, but PostgreSQL text and jsonb cannot store it: such a request would otherwise fail deep in a query or an
/// append with an unexpected exception (UNKNOWN). Checked for every RPC, before the request validators run.
/// </summary>
public sealed class StorableTextInterceptor : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ThrowIfUnstorable(request);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ThrowIfUnstorable(request);
        return continuation(request, responseStream, context);
    }

    /// <summary>Proto field paths ("presentation.notes", "files[2].text") of every string holding U+0000.</summary>
    public static List<string> Find(IMessage message)
    {
        var paths = new List<string>();
        Walk(message, string.Empty, paths);
        return paths;
    }

    private static void ThrowIfUnstorable<TRequest>(TRequest request)
    {
        if (request is not IMessage message || Find(message) is not { Count: > 0 } paths)
        {
            return;
        }

        throw RichErrors.InvalidArgument(
            paths.Count == 1 ? $"Invalid request: {paths[0]} {FieldRules.UnstorableText}" : $"Invalid request: {paths.Count} fields are invalid.",
            paths.Select(path => (path, FieldRules.UnstorableText)));
    }

    private static void Walk(IMessage message, string prefix, List<string> paths)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var path = prefix + field.Name;
            var value = field.Accessor.GetValue(message);
            if (field.IsMap)
            {
                foreach (DictionaryEntry entry in (IDictionary)value)
                {
                    Check(entry.Key, $"{path}[{entry.Key}]", paths);
                    Check(entry.Value, $"{path}[{entry.Key}]", paths);
                }
            }
            else if (field.IsRepeated)
            {
                var index = 0;
                foreach (var item in (IList)value)
                {
                    Check(item, $"{path}[{index++}]", paths);
                }
            }
            else if (field.FieldType != FieldType.Message || field.Accessor.HasValue(message))
            {
                Check(value, path, paths);
            }
        }
    }

    private static void Check(object? value, string path, List<string> paths)
    {
        switch (value)
        {
            case string text when !FieldRules.IsStorable(text):
                paths.Add(path);
                break;
            case IMessage inner:
                Walk(inner, path + ".", paths);
                break;
        }
    }
}
