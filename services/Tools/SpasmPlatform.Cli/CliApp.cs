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

    public static Option<Uri> AddressOption() => new("--address")
    {
        Description = "Server address, e.g. http://127.0.0.1:5101",
        Required = true,
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            {
                return uri;
            }

            result.AddError($"'{text}' is not an http:// or https:// address.");
            return null;
        },
    };
}
