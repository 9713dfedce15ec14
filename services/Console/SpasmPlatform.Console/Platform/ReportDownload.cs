using Grpc.Core;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.Console.Identity;
using SpasmPlatform.Contracts.Presentation;

namespace SpasmPlatform.Console.Platform;

/// <summary>
/// The decision report an auditor downloads: the same self-contained HTML file spasm-cli writes, read from the
/// services as the signed-in auditor and with times in the zone the page was showing.
/// </summary>
public static class ReportDownload
{
    public static void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/audit/assessments/{id}/report", DownloadAsync)
            .RequireAuthorization(policy => policy.RequireRole(ConsoleRoles.Auditor));
    }

    private static async Task<IResult> DownloadAsync(string id, string? zone, HttpContext context, ServiceChannels channels, TimeProvider clock)
    {
        if (Person.From(context.User) is not { } person)
        {
            return Results.Challenge();
        }

        var calls = new PersonClients(person, channels);
        var timeZone = zone is { Length: > 0 } && TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var found) ? found : TimeZoneInfo.Utc;
        try
        {
            var trace = await calls.AssessmentAudit.GetDecisionTraceAsync(new GetDecisionTraceRequest { AssessmentId = id }, cancellationToken: context.RequestAborted);
            var integrity = await calls.AssessmentAudit.VerifyIntegrityAsync(new VerifyIntegrityRequest { AssessmentId = id }, cancellationToken: context.RequestAborted);
            var html = DecisionReport.Render(trace, integrity, clock.GetUtcNow(), timeZone);
            return Results.File(System.Text.Encoding.UTF8.GetBytes(html), "text/html; charset=utf-8", $"decision-report-{trace.AssessmentId}.html");
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument)
        {
            return Results.Redirect("/not-found");
        }
        catch (RpcException e)
        {
            return Results.Text(ServiceErrors.Explain(e, "assessment service").Message, "text/plain; charset=utf-8", statusCode: StatusCodes.Status502BadGateway);
        }
    }
}
