using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Core;

namespace SpasmPlatform.Cli;

internal static class HealthProbe
{
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>Exit code 0 only for SERVING; with a wait, polls until SERVING or the wait is over.</summary>
    public static async Task<int> RunAsync(Uri address, string service, TimeSpan? wait, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        // Polling is the retry here; channel retries would only stretch each probe.
        using var channel = CliChannels.Open(address, retries: false);
        var client = new Health.HealthClient(channel);
        var giveUpAt = DateTime.UtcNow + (wait ?? TimeSpan.Zero);
        string? lastAnswer = null;
        while (true)
        {
            var remaining = giveUpAt - DateTime.UtcNow;
            var timeout = remaining > CheckTimeout || wait is null ? CheckTimeout : remaining > PollInterval ? remaining : PollInterval;
            var (serving, report) = await CheckOnceAsync(client, service, timeout, cancellationToken);
            if (serving)
            {
                await output.WriteLineAsync(report);
                return 0;
            }

            var failed = report.StartsWith("error", StringComparison.Ordinal);
            lastAnswer = failed ? lastAnswer : report;
            if (DateTime.UtcNow + PollInterval >= giveUpAt)
            {
                // A last probe cut short by the wait's end says less than the status the server did report.
                await (lastAnswer is null ? error : output).WriteLineAsync(lastAnswer ?? report);
                return 1;
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    private static async Task<(bool Serving, string Report)> CheckOnceAsync(Health.HealthClient client, string service, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var response = await client.CheckAsync(new HealthCheckRequest { Service = service }, deadline: DateTime.UtcNow + timeout, cancellationToken: cancellationToken);
            return (response.Status == HealthCheckResponse.Types.ServingStatus.Serving, ProtoName(response.Status));
        }
        catch (RpcException ex)
        {
            return (false, $"error: {ex.StatusCode}: {ex.Status.Detail}");
        }
    }

    /// <summary>The name as written in health.proto (SERVING), which is what operators and probes know.</summary>
    private static string ProtoName(HealthCheckResponse.Types.ServingStatus status) =>
        HealthCheckResponse.Descriptor.FindFieldByNumber(HealthCheckResponse.StatusFieldNumber).EnumType.FindValueByNumber((int)status)?.Name
        ?? ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
