using Google.Protobuf;
using Grpc.Reflection.V1;

namespace SpasmPlatform.Fuzzing;

/// <summary>The services a server offers, asked through its own reflection service, resolved to generated descriptors.</summary>
public static class ServiceDiscovery
{
    public static async Task<IReadOnlyList<FuzzTarget>> TargetsAsync(FuzzClient client, DescriptorCatalog catalog)
    {
        var request = new HostileRequest(
            "POST", "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", "application/grpc",
            [new("grpc-timeout", "10S"), new("te", "trailers")],
            [Framing.Frame(new ServerReflectionRequest { ListServices = "*" }.ToByteArray())], ["discovery"]);
        var response = await client.SendAsync(request, serverStreams: true).ConfigureAwait(false);
        if (response.GrpcStatus != "0" || response.Body.Length < 5)
        {
            throw new InvalidOperationException($"Reflection did not list the services: {response.Label} {response.GrpcMessage}");
        }

        var reply = ServerReflectionResponse.Parser.ParseFrom(response.Body.AsSpan(5).ToArray());
        return catalog.Targets(reply.ListServicesResponse.Service.Select(s => s.Name));
    }
}
