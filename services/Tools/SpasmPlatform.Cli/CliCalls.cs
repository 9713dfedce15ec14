using System.CommandLine;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Net.Client;
using Grpc.Core;

namespace SpasmPlatform.Cli;

/// <summary>
/// One call to a service from a command: the response is printed as protobuf JSON (or by <c>render</c> for people);
/// a failure prints the gRPC status and every field violation to stderr and exits 1, so scripts can rely on the code.
/// </summary>
internal static class CliCalls
{
    public static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true).WithIndentation());

    public static async Task<int> CallAsync<TClient, T>(
        ParseResult parse, Option<Uri> address, Func<GrpcChannel, TClient> client, Func<TClient, Task<T>> call, Func<T, string>? render = null)
        where T : IMessage
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        using var channel = CliChannels.Open(parse.GetRequiredValue(address));
        try
        {
            var response = await call(client(channel));
            await output.WriteLineAsync(render is null ? Json.Format(response) : render(response));
            return 0;
        }
        catch (RpcException e)
        {
            await error.WriteLineAsync($"{e.StatusCode}: {e.Status.Detail}");
            foreach (var violation in e.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations ?? [])
            {
                await error.WriteLineAsync($"  {violation.Field}: {violation.Description}");
            }

            return 1;
        }
    }
}
