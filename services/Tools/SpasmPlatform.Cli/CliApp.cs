using System.CommandLine;

namespace SpasmPlatform.Cli;

/// <summary>The command tree; kept out of Program.cs so tests can invoke it with captured output.</summary>
internal static class CliApp
{
    public static RootCommand CreateRootCommand() => new("Operator tool for SpasmPlatform's gRPC services.")
    {
        HealthCommand.Create(),
        ReflectCommand.Create(),
        KnowledgeCommand.Create(),
        AssessmentCommand.Create(),
        CarePlanCommand.Create(),
        AuditCommand.Create(),
    };

    /// <summary>
    /// --address; with <paramref name="defaultVariable"/> it may be left out, and the address comes from that variable
    /// (environment, else .spasm/env). Health and reflection name no service of their own, so they always need it.
    /// </summary>
    public static Option<Uri> AddressOption(string? defaultVariable = null)
    {
        var option = new Option<Uri>("--address")
        {
            Description = defaultVariable is null
                ? "Server address, e.g. http://127.0.0.1:5101"
                : $"Server address, e.g. https://127.0.0.1:5101; default: {defaultVariable} from the environment or .spasm/env",
            Required = defaultVariable is null,
            CustomParser = result =>
            {
                var text = result.Tokens.Single().Value;
                var uri = ParseAddress(text);
                if (uri is null)
                {
                    result.AddError($"'{text}' is not an http:// or https:// address.");
                }

                return uri;
            },
        };
        if (defaultVariable is not null)
        {
            option.DefaultValueFactory = result =>
            {
                var text = CliEnvironment.Get(defaultVariable);
                var uri = text is null ? null : ParseAddress(text);
                if (uri is null)
                {
                    var where = CliEnvironment.StateFilePath is { } file ? $"the environment or {file}" : "the environment, and no .spasm/env was found here or above";
                    result.AddError(text is null
                        ? $"No --address given, and {defaultVariable} is not set in {where} (run ./spasm up, or pass --address)."
                        : $"{defaultVariable} = '{text}' (from {where}) is not an http:// or https:// address.");
                }

                return uri!;
            };
        }

        return option;
    }

    private static Uri? ParseAddress(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) ? uri : null;
}
