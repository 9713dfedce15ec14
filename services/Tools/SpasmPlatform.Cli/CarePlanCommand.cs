using System.CommandLine;
using System.CommandLine.Parsing;
using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.Contracts.Calling;
using Grpc.Net.Client;
using Grpc.Core;

namespace SpasmPlatform.Cli;

/// <summary>spasm-cli careplan list|show|approve|amend|reject: the physiotherapist's review from a terminal.</summary>
internal static class CarePlanCommand
{
    public static Command Create()
    {
        var command = new Command("careplan", "List, show and review care plans (care-plan service).");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Approve());
        command.Subcommands.Add(Amend());
        command.Subcommands.Add(Reject());
        return command;
    }

    private static Option<bool> JsonOption() => new("--json") { Description = "Print the response as protobuf JSON instead of text." };

    private static Argument<string> PlanIdArgument() => new("care-plan-id");

    private static Option<long> ExpectedVersionOption() =>
        new("--expected-version") { Description = "The plan's version you read (stale: ABORTED; read again and retry).", Required = true };

    private static Option<string> PhysioOption() => new("--physio") { Description = "The reviewing physiotherapist's id (the actor of the review event).", Required = true };

    private static Command List()
    {
        var address = CliApp.AddressOption(CliEnvironment.CarePlanAddress);
        var clinic = new Option<string>("--clinic") { Description = "Clinic id.", Required = true };
        // The work queue is what a physiotherapist opens this for, so the default is the plans awaiting review.
        var status = new Option<CarePlanStatus>("--status")
        {
            Description = "PendingReview (default: awaiting review), Approved, Rejected, ReferralOnly, Superseded, or All.",
            DefaultValueFactory = _ => CarePlanStatus.PendingReview,
            CustomParser = ParseStatus,
        };
        var pageSize = new Option<int>("--page-size") { Description = "Plans per page (default 50, at most 500)." };
        var pageToken = new Option<string>("--page-token") { Description = "The token printed after the previous page." };
        var json = JsonOption();
        var command = new Command("list", "Lists a clinic's care plans, newest first; by default those awaiting review.") { address, clinic, status, pageSize, pageToken, json };
        command.SetAction((parse, ct) => CliCalls.CallAsync(parse, address, Client,
            c => c.ListCarePlansAsync(new ListCarePlansRequest
            {
                ClinicId = parse.GetRequiredValue(clinic),
                Status = parse.GetValue(status),
                PageSize = parse.GetValue(pageSize),
                PageToken = parse.GetValue(pageToken) ?? string.Empty,
            }, new CallOptions(cancellationToken: ct)).ResponseAsync,
            parse.GetValue(json) ? null : CarePlanText.RenderList));
        return command;
    }

    private static Command Show()
    {
        var address = CliApp.AddressOption(CliEnvironment.CarePlanAddress);
        var id = new Argument<string>("care-plan-id") { Description = "The plan; or give --assessment instead.", Arity = ArgumentArity.ZeroOrOne };
        var assessment = new Option<string>("--assessment") { Description = "The assessment whose current plan to show." };
        var json = JsonOption();
        var command = new Command("show", "Prints one care plan: interventions by phase, exclusions, cautions, follow-up, review.") { address, id, assessment, json };
        command.Validators.Add(result =>
        {
            // Exactly one way to name the plan, as GetCarePlan itself requires; said here before any call is made.
            var byPlan = result.GetValue(id) is { Length: > 0 };
            var byAssessment = result.GetValue(assessment) is { Length: > 0 };
            if (byPlan == byAssessment)
            {
                result.AddError("Give exactly one of a care-plan-id or --assessment <assessment-id>.");
            }
        });
        command.SetAction((parse, ct) => CliCalls.CallAsync(parse, address, Client,
            c => c.GetCarePlanAsync(new GetCarePlanRequest
            {
                CarePlanId = parse.GetValue(id) ?? string.Empty,
                AssessmentId = parse.GetValue(assessment) ?? string.Empty,
            }, new CallOptions(cancellationToken: ct)).ResponseAsync,
            parse.GetValue(json) ? null : CarePlanText.Render));
        return command;
    }

    private static Command Approve()
    {
        var address = CliApp.AddressOption(CliEnvironment.CarePlanAddress);
        var id = PlanIdArgument();
        var version = ExpectedVersionOption();
        var physio = PhysioOption();
        var note = new Option<string>("--note") { Description = "Optional note kept with the approval." };
        var json = JsonOption();
        var command = new Command("approve", "Approves a plan as it stands.") { address, id, version, physio, note, json };
        command.SetAction((parse, ct) => CliCalls.CallAsync(parse, address, Client,
            c => c.ApproveCarePlanAsync(new ApproveCarePlanRequest
            {
                CarePlanId = parse.GetRequiredValue(id),
                ExpectedVersion = parse.GetValue(version),
                PhysiotherapistId = parse.GetRequiredValue(physio),
                Note = parse.GetValue(note) ?? string.Empty,
            }, new CallOptions(cancellationToken: ct)).ResponseAsync,
            parse.GetValue(json) ? null : CarePlanText.Render));
        return command;
    }

    private static Command Amend()
    {
        var address = CliApp.AddressOption(CliEnvironment.CarePlanAddress);
        var id = PlanIdArgument();
        var version = ExpectedVersionOption();
        var physio = PhysioOption();
        var add = new Option<string[]>("--add") { Description = "Intervention codes to add (comma-separated; codes of the plan's knowledge version).", CustomParser = ParseCodes };
        var remove = new Option<string[]>("--remove") { Description = "Intervention codes to remove (comma-separated).", CustomParser = ParseCodes };
        var reason = new Option<string>("--reason") { Description = "Why (required, kept in the history).", Required = true };
        var json = JsonOption();
        var command = new Command("amend", "Adds or removes interventions; the plan stays pending review.") { address, id, version, physio, add, remove, reason, json };
        command.SetAction((parse, ct) =>
        {
            var request = new AmendCarePlanRequest
            {
                CarePlanId = parse.GetRequiredValue(id),
                ExpectedVersion = parse.GetValue(version),
                PhysiotherapistId = parse.GetRequiredValue(physio),
                Reason = parse.GetRequiredValue(reason),
            };
            request.AddInterventionCodes.Add(parse.GetValue(add) ?? []);
            request.RemoveInterventionCodes.Add(parse.GetValue(remove) ?? []);
            return CliCalls.CallAsync(parse, address, Client, c => c.AmendCarePlanAsync(request, new CallOptions(cancellationToken: ct)).ResponseAsync,
                parse.GetValue(json) ? null : CarePlanText.Render);
        });
        return command;
    }

    private static Command Reject()
    {
        var address = CliApp.AddressOption(CliEnvironment.CarePlanAddress);
        var id = PlanIdArgument();
        var version = ExpectedVersionOption();
        var physio = PhysioOption();
        var reason = new Option<string>("--reason") { Description = "Why (required, kept in the history).", Required = true };
        var json = JsonOption();
        var command = new Command("reject", "Rejects a plan.") { address, id, version, physio, reason, json };
        command.SetAction((parse, ct) => CliCalls.CallAsync(parse, address, Client,
            c => c.RejectCarePlanAsync(new RejectCarePlanRequest
            {
                CarePlanId = parse.GetRequiredValue(id),
                ExpectedVersion = parse.GetValue(version),
                PhysiotherapistId = parse.GetRequiredValue(physio),
                Reason = parse.GetRequiredValue(reason),
            }, new CallOptions(cancellationToken: ct)).ResponseAsync,
            parse.GetValue(json) ? null : CarePlanText.Render));
        return command;
    }

    /// <summary>"All" means every status (the RPC's UNSPECIFIED); otherwise an enum name, case ignored.</summary>
    private static CarePlanStatus ParseStatus(ArgumentResult result)
    {
        var text = result.Tokens.Single().Value;
        if (text.Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            return CarePlanStatus.Unspecified;
        }

        if (Enum.TryParse<CarePlanStatus>(text, ignoreCase: true, out var status) && status != CarePlanStatus.Unspecified && Enum.IsDefined(status) && !int.TryParse(text, out _))
        {
            return status;
        }

        result.AddError($"'{text}' is not a care plan status: PendingReview, Approved, Rejected, ReferralOnly, Superseded or All.");
        return CarePlanStatus.Unspecified;
    }

    /// <summary>"a,b c" and repeated options all work: codes are split on commas and whitespace.</summary>
    private static string[] ParseCodes(ArgumentResult result) =>
        [.. result.Tokens.SelectMany(t => t.Value.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];

    private static CarePlanService.CarePlanServiceClient Client(GrpcChannel channel) => new(CliChannels.Calls(channel));
}
