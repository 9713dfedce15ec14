using System.CommandLine;
using Google.Protobuf;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Common.V1;
using SpasmPlatform.Contracts.Calling;
using Grpc.Net.Client;
using Grpc.Core;

namespace SpasmPlatform.Cli;

/// <summary>spasm-cli assessment submit|get|list|override|erase-notes: for clinic staff, integrators and data controllers.</summary>
internal static class AssessmentCommand
{
    public static Command Create()
    {
        var command = new Command("assessment", "Submit, read, list and override assessments (assessment service).");
        command.Subcommands.Add(Submit());
        command.Subcommands.Add(Get());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Override());
        command.Subcommands.Add(EraseNotes());
        return command;
    }

    private static Option<bool> JsonOption() => new("--json") { Description = "Print the response as protobuf JSON instead of text." };

    private static Command Submit()
    {
        var address = CliApp.AddressOption(CliEnvironment.AssessmentAddress);
        var file = new Option<FileInfo>("--file") { Description = "The SubmitAssessmentRequest in the proto JSON mapping (see samples/assessments/).", Required = true };
        var requestId = new Option<string>("--request-id") { Description = "Overrides the file's request_id (a new id = a new assessment)." };
        var json = JsonOption();
        var command = new Command("submit", "Submits an assessment and prints its triage.") { address, file, requestId, json };
        command.SetAction((parse, ct) =>
        {
            var request = JsonParser.Default.Parse<SubmitAssessmentRequest>(File.ReadAllText(parse.GetRequiredValue(file).FullName));
            if (parse.GetValue(requestId) is { Length: > 0 } id)
            {
                request.RequestId = id;
            }

            return CliCalls.CallAsync(parse, address, Client, c => c.SubmitAssessmentAsync(request, new CallOptions(cancellationToken: ct)).ResponseAsync,
                parse.GetValue(json) ? null : r => (r.Duplicate ? "(duplicate: this request_id was seen before; the first result)\n" : string.Empty) + AssessmentText.Render(r.Assessment));
        });
        return command;
    }

    private static Command Get()
    {
        var address = CliApp.AddressOption(CliEnvironment.AssessmentAddress);
        var id = new Argument<string>("assessment-id");
        var json = JsonOption();
        var command = new Command("get", "Prints one assessment with its current triage.") { address, id, json };
        command.SetAction((parse, ct) => CliCalls.CallAsync(parse, address, Client,
            c => c.GetAssessmentAsync(new GetAssessmentRequest { AssessmentId = parse.GetRequiredValue(id) }, new CallOptions(cancellationToken: ct)).ResponseAsync,
            parse.GetValue(json) ? null : AssessmentText.Render));
        return command;
    }

    private static Command List()
    {
        var address = CliApp.AddressOption(CliEnvironment.AssessmentAddress);
        var clinic = new Option<string>("--clinic") { Description = "Clinic id.", Required = true };
        var urgency = new Option<Urgency>("--urgency") { Description = "Only this urgency, e.g. Emergency, SameDay, Routine." };
        var pageSize = new Option<int>("--page-size") { Description = "Assessments per page (default 50, at most 500)." };
        var pageToken = new Option<string>("--page-token") { Description = "The token printed after the previous page." };
        var json = JsonOption();
        var command = new Command("list", "Lists a clinic's assessments, newest first.") { address, clinic, urgency, pageSize, pageToken, json };
        command.SetAction((parse, ct) => CliCalls.CallAsync(parse, address, Client,
            c => c.ListAssessmentsAsync(new ListAssessmentsRequest
            {
                ClinicId = parse.GetRequiredValue(clinic),
                Urgency = parse.GetValue(urgency),
                PageSize = parse.GetValue(pageSize),
                PageToken = parse.GetValue(pageToken) ?? string.Empty,
            }, new CallOptions(cancellationToken: ct)).ResponseAsync,
            parse.GetValue(json) ? null : AssessmentText.RenderList));
        return command;
    }

    private static Command Override()
    {
        var address = CliApp.AddressOption(CliEnvironment.AssessmentAddress);
        var id = new Argument<string>("assessment-id");
        var version = new Option<long>("--expected-version") { Description = "The assessment's version you read (stale: ABORTED).", Required = true };
        var urgency = new Option<Urgency>("--urgency") { Description = "The clinician's urgency, e.g. SameDay.", Required = true };
        var clinician = new Option<string>("--clinician") { Description = "Who overrides.", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why (required, kept in the history).", Required = true };
        var json = JsonOption();
        var command = new Command("override", "Overrides the engine's urgency; the engine's decision stays visible.") { address, id, version, urgency, clinician, reason, json };
        command.SetAction((parse, ct) => CliCalls.CallAsync(parse, address, Client,
            c => c.OverrideTriageAsync(new OverrideTriageRequest
            {
                AssessmentId = parse.GetRequiredValue(id),
                ExpectedVersion = parse.GetValue(version),
                Urgency = parse.GetValue(urgency),
                ClinicianId = parse.GetRequiredValue(clinician),
                Reason = parse.GetRequiredValue(reason),
            }, new CallOptions(cancellationToken: ct)).ResponseAsync,
            parse.GetValue(json) ? null : AssessmentText.Render));
        return command;
    }

    private static Command EraseNotes()
    {
        var address = CliApp.AddressOption(CliEnvironment.AssessmentAddress);
        var clinic = new Option<string>("--clinic") { Description = "Clinic id.", Required = true };
        var patient = new Option<string>("--patient") { Description = "The patient_ref whose clinical notes are erased.", Required = true };
        var by = new Option<string>("--by") { Description = "The data controller's id (recorded with the erasure).", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why (recorded with the erasure).", Required = true };
        var json = JsonOption();
        var command = new Command("erase-notes", "Erases a patient's clinical notes for good (decisions, plans and the audit trail stay).") { address, clinic, patient, by, reason, json };
        command.SetAction((parse, ct) => CliCalls.CallAsync(parse, address, Client,
            c => c.EraseClinicalNotesAsync(new EraseClinicalNotesRequest
            {
                ClinicId = parse.GetRequiredValue(clinic),
                PatientRef = parse.GetRequiredValue(patient),
                RequestedBy = parse.GetRequiredValue(by),
                Reason = parse.GetRequiredValue(reason),
            }, new CallOptions(cancellationToken: ct)).ResponseAsync,
            parse.GetValue(json) ? null : AssessmentText.RenderErasure));
        return command;
    }

    private static AssessmentService.AssessmentServiceClient Client(GrpcChannel channel) => new(CliChannels.Calls(channel));
}
