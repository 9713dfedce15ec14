using Google.Protobuf.Reflection;
using Grpc.Reflection.V1Alpha;
using Grpc.Net.Client;
using Grpc.Core;

namespace SpasmPlatform.Cli;

internal static class ReflectionQuery
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(Uri address, string? symbol, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        using var channel = CliChannels.Open(address);
        var client = new ServerReflection.ServerReflectionClient(channel);
        var request = string.IsNullOrEmpty(symbol)
            ? new ServerReflectionRequest { ListServices = "*" }
            : new ServerReflectionRequest { FileContainingSymbol = symbol };
        try
        {
            var response = await AskAsync(client, request, cancellationToken);
            if (response.MessageResponseCase == ServerReflectionResponse.MessageResponseOneofCase.ErrorResponse)
            {
                await error.WriteLineAsync($"error: {(StatusCode)response.ErrorResponse.ErrorCode}: {response.ErrorResponse.ErrorMessage}");
                return 1;
            }

            var lines = string.IsNullOrEmpty(symbol) ? ServiceNames(response) : DefiningFiles(response, symbol);
            foreach (var line in lines)
            {
                await output.WriteLineAsync(line);
            }

            return 0;
        }
        catch (RpcException ex)
        {
            await error.WriteLineAsync($"error: {ex.StatusCode}: {ex.Status.Detail}");
            return 1;
        }
    }

    private static async Task<ServerReflectionResponse> AskAsync(ServerReflection.ServerReflectionClient client, ServerReflectionRequest request, CancellationToken cancellationToken)
    {
        using var call = client.ServerReflectionInfo(deadline: DateTime.UtcNow + Timeout, cancellationToken: cancellationToken);
        await call.RequestStream.WriteAsync(request, cancellationToken);
        await call.RequestStream.CompleteAsync();
        if (!await call.ResponseStream.MoveNext(cancellationToken))
        {
            throw new RpcException(new Status(StatusCode.Internal, "The server ended the reflection stream without answering."));
        }

        var response = call.ResponseStream.Current;

        // Read to the end so the call finishes with the server's status rather than being cancelled by Dispose.
        while (await call.ResponseStream.MoveNext(cancellationToken))
        {
        }

        return response;
    }

    private static IEnumerable<string> ServiceNames(ServerReflectionResponse response) =>
        response.ListServicesResponse?.Service.Select(s => s.Name) ?? [];

    /// <summary>
    /// The server answers with the defining file and its dependencies; only the files that declare the symbol are
    /// printed. If none appears to (a symbol kind this check does not know), every returned file is printed.
    /// </summary>
    private static IEnumerable<string> DefiningFiles(ServerReflectionResponse response, string symbol)
    {
        var files = response.FileDescriptorResponse?.FileDescriptorProto
            .Select(bytes => FileDescriptorProto.Parser.ParseFrom(bytes))
            .ToList() ?? [];
        var defining = files.Where(file => SymbolIndex.Declares(file, symbol.TrimStart('.'))).Select(file => file.Name).ToList();
        return defining.Count > 0 ? defining : files.Select(file => file.Name);
    }
}
