using System.CommandLine;
using SpasmPlatform.Contracts.Calling;
using Grpc.Net.Client;
using Grpc.Core;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.Cli;

/// <summary>
/// spasm-cli knowledge versions|rules|search|publish: the knowledge service from a terminal. Responses print as
/// protobuf JSON (field names as in the .proto), so scripts can read them; failures print the gRPC status and
/// every field violation to stderr and exit 1.
/// </summary>
internal static class KnowledgeCommand
{
    public static Command Create()
    {
        var command = new Command("knowledge", "Versions, rule sets, search and publishing of the knowledge service.");
        command.Subcommands.Add(Versions());
        command.Subcommands.Add(Rules());
        command.Subcommands.Add(Search());
        command.Subcommands.Add(Publish());
        return command;
    }

    private static Command Versions()
    {
        var address = CliApp.AddressOption(CliEnvironment.KnowledgeAddress);
        var command = new Command("versions", "Lists every published knowledge version, newest first.") { address };
        command.SetAction((parse, ct) => CliCalls.CallAsync(parse, address, channel => new KnowledgeService.KnowledgeServiceClient(CliChannels.Calls(channel)), client => client.ListVersionsAsync(new ListVersionsRequest(), new CallOptions(cancellationToken: ct)).ResponseAsync));
        return command;
    }

    private static Command Rules()
    {
        var address = CliApp.AddressOption(CliEnvironment.KnowledgeAddress);
        var version = new Option<string>("--version") { Description = "Rule-set version; default: the current one." };
        var command = new Command("rules", "Prints a rule set.") { address, version };
        command.SetAction((parse, ct) => CliCalls.CallAsync(parse, address, channel => new KnowledgeService.KnowledgeServiceClient(CliChannels.Calls(channel)), client =>
            client.GetRuleSetAsync(new GetRuleSetRequest { Version = parse.GetValue(version) ?? string.Empty }, new CallOptions(cancellationToken: ct)).ResponseAsync));
        return command;
    }

    private static Command Search()
    {
        var address = CliApp.AddressOption(CliEnvironment.KnowledgeAddress);
        var query = new Argument<string>("query") { Description = "Free text, e.g. \"numb saddle area\"." };
        var version = new Option<string>("--version") { Description = "Knowledge version; default: the current one." };
        var limit = new Option<int>("--limit") { Description = "At most this many hits (default 10)." };
        var command = new Command("search", "Ranked search over conditions, findings, interventions and safety warnings.") { address, query, version, limit };
        command.SetAction((parse, ct) => CliCalls.CallAsync(parse, address, channel => new KnowledgeService.KnowledgeServiceClient(CliChannels.Calls(channel)), client => client.SearchAsync(
            new SearchRequest { Query = parse.GetRequiredValue(query), Version = parse.GetValue(version) ?? string.Empty, Limit = parse.GetValue(limit) },
            new CallOptions(cancellationToken: ct)).ResponseAsync));
        return command;
    }

    private static Command Publish()
    {
        var address = CliApp.AddressOption(CliEnvironment.KnowledgeAddress);
        var directory = new Option<DirectoryInfo>("--dir") { Description = "Content directory (every *.yaml under it).", Required = true };
        var by = new Option<string>("--by") { Description = "Who approved this content (recorded with the version).", Required = true };
        var command = new Command("publish", "Validates and publishes a content directory as a new knowledge version.") { address, directory, by };
        command.SetAction((parse, ct) =>
        {
            var root = parse.GetRequiredValue(directory);
            var request = new PublishVersionRequest { PublishedBy = parse.GetRequiredValue(by) };
            request.Files.Add(Directory.EnumerateFiles(root.FullName, "*.yaml", SearchOption.AllDirectories)
                .Order(StringComparer.Ordinal)
                .Select(f => new ContentFile { Path = Path.GetRelativePath(root.FullName, f).Replace('\\', '/'), Text = File.ReadAllText(f) }));
            return CliCalls.CallAsync(parse, address, channel => new KnowledgeService.KnowledgeServiceClient(CliChannels.Calls(channel)), client => client.PublishVersionAsync(request, new CallOptions(cancellationToken: ct)).ResponseAsync);
        });
        return command;
    }
}
