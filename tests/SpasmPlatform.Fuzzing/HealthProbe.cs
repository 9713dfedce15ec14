using Google.Protobuf;
using Grpc.Health.V1;

namespace SpasmPlatform.Fuzzing;

/// <summary>The standard health Check over the fuzzer's own transport: null when SERVING, else what is wrong.</summary>
public static class HealthProbe
{
    public static async Task<string?> CheckAsync(FuzzClient client)
    {
        var request = new HostileRequest(
            "POST", "/grpc.health.v1.Health/Check", "application/grpc",
            [new("grpc-timeout", "10S"), new("te", "trailers")], [Framing.Frame(new HealthCheckRequest().ToByteArray())], ["health"]);
        var response = await client.SendAsync(request, serverStreams: false).ConfigureAwait(false);
        if (response.GrpcStatus != "0" || response.Body.Length < 5)
        {
            return $"health check answered {response.Label} {response.GrpcMessage} {response.TransportError}";
        }

        var status = HealthCheckResponse.Parser.ParseFrom(response.Body.AsSpan(5).ToArray()).Status;
        return status == HealthCheckResponse.Types.ServingStatus.Serving ? null : $"health is {status}";
    }
}
