using System.CommandLine;

namespace SpasmPlatform.Cli;

internal static class ReflectCommand
{
    public static Command Create()
    {
        var address = CliApp.AddressOption();
        var symbol = new Option<string?>("--symbol")
        {
            Description = "Fully-qualified symbol (service, method, message, enum); prints the proto files that define it.",
        };

        var command = new Command("reflect", "Lists the server's services through server reflection (grpc.reflection.v1alpha).")
        {
            address,
            symbol,
        };
        command.SetAction((parseResult, cancellationToken) => ReflectionQuery.RunAsync(
            parseResult.GetRequiredValue(address),
            parseResult.GetValue(symbol),
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }
}
