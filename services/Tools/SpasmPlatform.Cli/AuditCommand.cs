using System.CommandLine;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.Contracts.Calling;
using SpasmPlatform.Contracts.Presentation;
using Grpc.Net.Client;
using Grpc.Core;

namespace SpasmPlatform.Cli;

/// <summary>
/// spasm-cli audit find|trace|history|replay|verify|export: for auditors. Works against the assessment service (the
/// triage) and the care-plan service (the plan drafting); both serve the same AuditService over their own stores.
/// </summary>
internal static class AuditCommand
{
    /// <summary>Exit code of verify when the chain is broken, so scripts can tell it from a failed call (1).</summary>
    public const int BrokenChainExitCode = 2;

    private static readonly JsonFormatter Line = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));

    public static Command Create()
    {
        var command = new Command("audit", "Trace, replay and verify how decisions were reached (AuditService of the assessment or care-plan service).");
        command.Subcommands.Add(Find());
        command.Subcommands.Add(Trace());
        command.Subcommands.Add(History());
        command.Subcommands.Add(Replay());
        command.Subcommands.Add(Verify());
        command.Subcommands.Add(Export());
        return command;
    }

    private static Option<bool> JsonOption() => new("--json") { Description = "Print protobuf JSON instead of text." };

    private static Command Find()
    {
        var address = CliApp.AddressOption(CliEnvironment.AssessmentAddress);
        var patient = new Option<string>("--patient") { Description = "The patient's assessments, in every clinic unless --clinic." };
        var clinic = new Option<string>("--clinic") { Description = "Only this clinic's." };
        var from = new Option<DateTimeOffset?>("--from") { Description = "Submitted at or after this time (e.g. 2026-12-01 or 2026-12-01T08:00Z; without a zone: this machine's)." };
        var to = new Option<DateTimeOffset?>("--to") { Description = "Submitted before this time." };
        var pageSize = new Option<int>("--page-size") { Description = "At most this many (default 50, at most 100)." };
        var pageToken = new Option<string>("--page-token") { Description = "The next page of the same search, as printed after the last one." };
        var json = JsonOption();
        var command = new Command("find", "Finds assessments by patient or period (at least one), across clinics, newest first.")
        {
            address, patient, clinic, from, to, pageSize, pageToken, json,
        };
        command.SetAction((parse, ct) => CliCalls.CallAsync(parse, address, Client,
            c => c.FindAssessmentsAsync(new FindAssessmentsRequest
            {
                PatientRef = parse.GetValue(patient) ?? string.Empty,
                ClinicId = parse.GetValue(clinic) ?? string.Empty,
                SubmittedFrom = parse.GetValue(from) is { } start ? Timestamp.FromDateTimeOffset(start) : null,
                SubmittedTo = parse.GetValue(to) is { } end ? Timestamp.FromDateTimeOffset(end) : null,
                PageSize = parse.GetValue(pageSize),
                PageToken = parse.GetValue(pageToken) ?? string.Empty,
            }, new CallOptions(cancellationToken: ct)).ResponseAsync,
            parse.GetValue(json) ? null : AuditText.RenderFound));
        return command;
    }

    private static Command Trace()
    {
        var address = CliApp.AddressOption(CliEnvironment.AssessmentAddress);
        var id = new Argument<string>("assessment-id");
        var json = JsonOption();
        var command = new Command("trace", "Prints how a decision was reached: submission, every rule that fired, versions, overrides, care plan and reviews.") { address, id, json };
        command.SetAction((parse, ct) => CliCalls.CallAsync(parse, address, Client,
            c => c.GetDecisionTraceAsync(new GetDecisionTraceRequest { AssessmentId = parse.GetRequiredValue(id) }, new CallOptions(cancellationToken: ct)).ResponseAsync,
            parse.GetValue(json) ? null : AuditText.RenderTrace));
        return command;
    }

    private static Command History()
    {
        var address = CliApp.AddressOption(CliEnvironment.AssessmentAddress);
        var stream = new Option<string>("--stream") { Description = "One stream by id (e.g. assessment-<id>, careplan-<id>)." };
        var assessment = new Option<string>("--assessment") { Description = "The service's stream of this assessment." };
        var fromVersion = new Option<long>("--from-version") { Description = "One stream: start at this version." };
        var fromPosition = new Option<long>("--from-position") { Description = "Every stream: start at this global position." };
        var limit = new Option<long>("--limit") { Description = "At most this many events (default: all)." };
        var json = new Option<bool>("--json") { Description = "One HistoryEvent per line as protobuf JSON." };
        var command = new Command("history", "Streams events with their hashes: one stream, or every stream when neither --stream nor --assessment is given.")
        {
            address, stream, assessment, fromVersion, fromPosition, limit, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var request = new StreamHistoryRequest
            {
                StreamId = parse.GetValue(stream) ?? string.Empty,
                AssessmentId = parse.GetValue(assessment) ?? string.Empty,
                FromVersion = parse.GetValue(fromVersion),
                FromGlobalPosition = parse.GetValue(fromPosition),
                Limit = parse.GetValue(limit),
            };
            var output = parse.InvocationConfiguration.Output;
            using var channel = CliChannels.Open(parse.GetRequiredValue(address));
            try
            {
                using var call = Client(channel).StreamHistory(request, new CallOptions(cancellationToken: ct));
                var asJson = parse.GetValue(json);
                while (await call.ResponseStream.MoveNext(ct))
                {
                    await output.WriteLineAsync(asJson ? Line.Format(call.ResponseStream.Current) : AuditText.RenderEvent(call.ResponseStream.Current));
                }

                return 0;
            }
            catch (RpcException e)
            {
                return await FailedAsync(parse, e);
            }
        });
        return command;
    }

    private static Command Replay()
    {
        var address = CliApp.AddressOption(CliEnvironment.AssessmentAddress);
        var id = new Argument<string>("assessment-id");
        var current = new Option<bool>("--current") { Description = "Replay under today's versions instead of the pinned ones." };
        var carePlan = new Option<string>("--care-plan") { Description = "Care-plan service: which plan (default: the current one)." };
        var json = JsonOption();
        var command = new Command("replay", "Re-runs the decision with its pinned versions and lists every difference.") { address, id, current, carePlan, json };
        command.SetAction((parse, ct) => CliCalls.CallAsync(parse, address, Client,
            c => c.ReplayDecisionAsync(new ReplayDecisionRequest
            {
                AssessmentId = parse.GetRequiredValue(id),
                UseCurrentVersions = parse.GetValue(current),
                CarePlanId = parse.GetValue(carePlan) ?? string.Empty,
            }, new CallOptions(cancellationToken: ct)).ResponseAsync,
            parse.GetValue(json) ? null : AuditText.RenderReplay));
        return command;
    }

    private static Command Verify()
    {
        var address = CliApp.AddressOption(CliEnvironment.AssessmentAddress);
        var stream = new Option<string>("--stream") { Description = "One stream by id." };
        var assessment = new Option<string>("--assessment") { Description = "The service's stream of this assessment." };
        var json = JsonOption();
        var command = new Command("verify", $"Recomputes the hash chain of one stream or of every stream; exits {BrokenChainExitCode} when it is broken.") { address, stream, assessment, json };
        command.SetAction(async (parse, ct) =>
        {
            VerifyIntegrityResponse? report = null;
            var code = await CliCalls.CallAsync(parse, address, Client,
                async c => report = await c.VerifyIntegrityAsync(new VerifyIntegrityRequest
                {
                    StreamId = parse.GetValue(stream) ?? string.Empty,
                    AssessmentId = parse.GetValue(assessment) ?? string.Empty,
                }, new CallOptions(cancellationToken: ct)).ResponseAsync,
                parse.GetValue(json) ? null : AuditText.RenderVerify);
            return code == 0 && report is { Intact: false } ? BrokenChainExitCode : code;
        });
        return command;
    }

    private static Command Export()
    {
        var address = CliApp.AddressOption(CliEnvironment.AssessmentAddress);
        var id = new Argument<string>("assessment-id");
        var output = new Option<FileInfo>("--out") { Description = "The HTML file to write.", Required = true };
        var command = new Command("export", "Writes a self-contained HTML decision report: timeline, rules with sources, overrides, reviews, integrity.") { address, id, output };
        command.SetAction(async (parse, ct) =>
        {
            var assessmentId = parse.GetRequiredValue(id);
            var file = parse.GetRequiredValue(output);
            using var channel = CliChannels.Open(parse.GetRequiredValue(address));
            var client = Client(channel);
            try
            {
                var options = new CallOptions(cancellationToken: ct);
                var trace = await client.GetDecisionTraceAsync(new GetDecisionTraceRequest { AssessmentId = assessmentId }, options).ResponseAsync;
                var integrity = await client.VerifyIntegrityAsync(new VerifyIntegrityRequest { AssessmentId = assessmentId }, options).ResponseAsync;
                await File.WriteAllTextAsync(file.FullName, DecisionReport.Render(trace, integrity, DateTimeOffset.UtcNow, TimeZoneInfo.Local), ct);
                await parse.InvocationConfiguration.Output.WriteLineAsync($"Wrote {file.FullName} (integrity: {(integrity.Intact ? "intact" : "BROKEN")}).");
                return 0;
            }
            catch (RpcException e)
            {
                return await FailedAsync(parse, e);
            }
        });
        return command;
    }

    private static async Task<int> FailedAsync(ParseResult parse, RpcException e)
    {
        var error = parse.InvocationConfiguration.Error;
        await error.WriteLineAsync($"{e.StatusCode}: {e.Status.Detail}");
        foreach (var violation in e.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations ?? [])
        {
            await error.WriteLineAsync($"  {violation.Field}: {violation.Description}");
        }

        return 1;
    }

    private static AuditService.AuditServiceClient Client(GrpcChannel channel) => new(CliChannels.Calls(channel));
}
