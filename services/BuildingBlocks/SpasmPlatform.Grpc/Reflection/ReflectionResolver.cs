using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Reflection.V1Alpha;
using SpasmPlatform.Grpc.Server;

namespace SpasmPlatform.Grpc.Reflection;

/// <summary>
/// Answers reflection requests from the descriptors of the services this host maps. The symbol index is built
/// once, on first use, after every service has been mapped.
/// </summary>
public sealed class ReflectionResolver(GrpcServiceRegistry registry)
{
    private readonly Lazy<Index> _index = new(() => Index.Build(registry.Services));

    public ServerReflectionResponse Resolve(ServerReflectionRequest request)
    {
        // The request is echoed without the fields it does not declare: unknown groups nested near the parser's
        // recursion limit would put the response one level past it, and the client could not read the answer.
        var response = new ServerReflectionResponse { ValidHost = request.Host, OriginalRequest = ReflectionRequests.KnownFields(request) };
        var index = _index.Value;
        switch (request.MessageRequestCase)
        {
            case ServerReflectionRequest.MessageRequestOneofCase.ListServices:
                var list = new ListServiceResponse();
                list.Service.AddRange(registry.Services.Select(s => new ServiceResponse { Name = s.FullName }));
                response.ListServicesResponse = list;
                break;

            case ServerReflectionRequest.MessageRequestOneofCase.FileByFilename:
                response = index.Files.TryGetValue(request.FileByFilename, out var file)
                    ? WithFile(response, file)
                    : WithError(response, Protocol.StatusCode.NotFound, $"File not found: {request.FileByFilename}");
                break;

            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingSymbol:
                response = index.Symbols.TryGetValue(request.FileContainingSymbol, out var owner)
                    ? WithFile(response, owner)
                    : WithError(response, Protocol.StatusCode.NotFound, $"Symbol not found: {request.FileContainingSymbol}");
                break;

            case ServerReflectionRequest.MessageRequestOneofCase.AllExtensionNumbersOfType:
                // Our protos declare no extensions, so a known message has an empty list.
                response = index.Symbols.ContainsKey(request.AllExtensionNumbersOfType)
                    ? With(response, new ExtensionNumberResponse { BaseTypeName = request.AllExtensionNumbersOfType })
                    : WithError(response, Protocol.StatusCode.NotFound, $"Type not found: {request.AllExtensionNumbersOfType}");
                break;

            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingExtension:
                var extension = request.FileContainingExtension;
                response = WithError(response, Protocol.StatusCode.NotFound, $"Extension not found: {extension.ContainingType}({extension.ExtensionNumber})");
                break;

            default:
                response = WithError(response, Protocol.StatusCode.InvalidArgument, "The request names no reflection query.");
                break;
        }

        return response;
    }

    private static ServerReflectionResponse With(ServerReflectionResponse response, ExtensionNumberResponse numbers)
    {
        response.AllExtensionNumbersResponse = numbers;
        return response;
    }

    /// <summary>The file and everything it imports, so a client can build the descriptors in one round trip.</summary>
    private static ServerReflectionResponse WithFile(ServerReflectionResponse response, FileDescriptor file)
    {
        var files = new FileDescriptorResponse();
        var seen = new HashSet<string>();
        var pending = new Stack<FileDescriptor>();
        pending.Push(file);
        while (pending.Count > 0)
        {
            var next = pending.Pop();
            if (!seen.Add(next.Name))
            {
                continue;
            }

            files.FileDescriptorProto.Add(next.SerializedData);
            foreach (var dependency in next.Dependencies)
            {
                pending.Push(dependency);
            }
        }

        response.FileDescriptorResponse = files;
        return response;
    }

    private static ServerReflectionResponse WithError(ServerReflectionResponse response, Protocol.StatusCode code, string message)
    {
        response.ErrorResponse = new ErrorResponse { ErrorCode = (int)code, ErrorMessage = message };
        return response;
    }

    private sealed record Index(Dictionary<string, FileDescriptor> Files, Dictionary<string, FileDescriptor> Symbols)
    {
        public static Index Build(IEnumerable<ServiceDescriptor> services)
        {
            var files = new Dictionary<string, FileDescriptor>(StringComparer.Ordinal);
            var pending = new Stack<FileDescriptor>(services.Select(s => s.File));
            while (pending.Count > 0)
            {
                var file = pending.Pop();
                if (files.TryAdd(file.Name, file))
                {
                    foreach (var dependency in file.Dependencies)
                    {
                        pending.Push(dependency);
                    }
                }
            }

            var symbols = new Dictionary<string, FileDescriptor>(StringComparer.Ordinal);
            foreach (var file in files.Values)
            {
                foreach (var service in file.Services)
                {
                    symbols[service.FullName] = file;
                    foreach (var method in service.Methods)
                    {
                        symbols[method.FullName] = file;
                    }
                }

                foreach (var message in file.MessageTypes)
                {
                    AddMessage(symbols, file, message);
                }

                foreach (var enumType in file.EnumTypes)
                {
                    symbols[enumType.FullName] = file;
                }
            }

            return new Index(files, symbols);
        }

        private static void AddMessage(Dictionary<string, FileDescriptor> symbols, FileDescriptor file, MessageDescriptor message)
        {
            symbols[message.FullName] = file;
            foreach (var nested in message.NestedTypes)
            {
                AddMessage(symbols, file, nested);
            }

            foreach (var enumType in message.EnumTypes)
            {
                symbols[enumType.FullName] = file;
            }
        }
    }
}
