using System.CommandLine;

namespace SpasmPlatform.Cli;

internal static class HealthCommand
{
    public static Command Create()
    {
        var address = CliApp.AddressOption();
        var service = new Option<string>("--service")
        {
            Description = "Service to check; empty for the server as a whole.",
            DefaultValueFactory = _ => string.Empty,
        };
        var wait = new Option<double?>("--wait")
        {
            Description = "Keep checking for up to this many seconds until the status is SERVING.",
        };
        wait.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is < 0)
            {
                result.AddError("--wait must not be negative.");
            }
        });

        var command = new Command("health", "Prints the serving status (grpc.health.v1); exits 0 only when SERVING.")
        {
            address,
            service,
            wait,
        };
        command.SetAction((parseResult, cancellationToken) =>
        {
            var seconds = parseResult.GetValue(wait);
            return HealthProbe.RunAsync(
                parseResult.GetRequiredValue(address),
                parseResult.GetValue(service) ?? string.Empty,
                seconds is { } s ? TimeSpan.FromSeconds(s) : null,
                parseResult.InvocationConfiguration.Output,
                parseResult.InvocationConfiguration.Error,
                cancellationToken);
        });
        return command;
    }
}
