using System.Diagnostics;
using Npgsql;
using SpasmPlatform.IntegrationTests.Assessment;
using SpasmPlatform.IntegrationTests.Infrastructure;
using SpasmPlatform.IntegrationTests.Observability.Otlp;

namespace SpasmPlatform.IntegrationTests.Observability;

/// <summary>
/// One submission, one trace: the clinic's call (traceparent in gRPC metadata), the assessment service's server span,
/// engine and append, the outbox relay's publish, RabbitMQ (MassTransit's spans), and the care-plan service's consumer
/// and append, all exported over OTLP by real processes to a receiver in this test; and the log records both services
/// write meanwhile, exported over OTLP with the same trace id.
/// </summary>
[Collection(SerialPlatformCollection.Name)]
public sealed class EndToEndTraceTests(TracedPlatform platform) : IClassFixture<TracedPlatform>
{
    private const string SubmitSpan = "spasm.assessment.v1.AssessmentService/SubmitAssessment";

    [Fact]
    public async Task One_submission_is_one_trace_across_both_services_and_the_broker()
    {
        // The clinic system's own span: our client puts its context in the call's metadata.
        using var clinic = new Activity("clinic submit");
        clinic.SetIdFormat(ActivityIdFormat.W3C);
        clinic.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        clinic.Start();
        var traceId = clinic.TraceId.ToHexString();
        var request = Submissions.CaudaEquina(Submissions.NewId("clinic"), Submissions.NewId("req"));
        var response = await platform.Assessment.Client.SubmitAssessmentAsync(request);
        clinic.Stop();
        var assessmentId = response.Assessment.AssessmentId;

        List<ReceivedSpan> trace = [];
        await Eventually.WaitAsync(
            () =>
            {
                // Each service exports its spans in its own batches, so the care-plan's may come before the relay's.
                trace = platform.Receiver.Spans.Where(s => s.TraceId == traceId).ToList();
                // MassTransit's consume span ends after ours, so it can come in a later export batch: wait for it too.
                // The server span ends once the response has left, after its children: it too can come later.
                return trace.Any(s => s.Name == SubmitSpan)
                    && trace.Any(s => s.ServiceName == "spasm-care-plan" && s.Name == "append care_plan")
                    && trace.Any(s => s.ServiceName == "spasm-care-plan" && s.Name == "consume TriageDecided")
                    && trace.Any(s => s.ServiceName == "spasm-assessment" && s.Name.StartsWith("outbox publish", StringComparison.Ordinal))
                    && trace.Any(s => s.ServiceName == "spasm-assessment" && s.Scope == "MassTransit")
                    && trace.Any(s => s.Scope == "MassTransit" && s.ServiceName == "spasm-care-plan" && s.Span.Kind == SpanKind.Consumer);
            },
            TimeSpan.FromSeconds(60),
            $"the care-plan spans of trace {traceId}; received:\n{string.Join('\n', platform.Receiver.Spans)}\nassessment output:\n{platform.Assessment.Service.Output}\ncare-plan output:\n{platform.CarePlan.Output}");

        var server = Assert.Single(trace, s => s.Name == SubmitSpan);
        Assert.Equal("spasm-assessment", server.ServiceName);
        Assert.Equal(SpanKind.Server, server.Span.Kind);
        // The caller's side of the call is the parent: the clinic's span, or the HTTP client span .NET starts under it.
        Assert.DoesNotContain(trace, s => s.SpanId == server.ParentSpanId);
        Assert.False(string.IsNullOrEmpty(server.ParentSpanId), "the server span did not continue the caller's trace");
        Assert.Equal("grpc", server.Attribute("rpc.system"));
        Assert.Equal("spasm.assessment.v1.AssessmentService", server.Attribute("rpc.service"));
        Assert.Equal("SubmitAssessment", server.Attribute("rpc.method"));
        Assert.Equal(0L, server.Attribute("rpc.grpc.status_code"));

        var byId = trace.ToDictionary(s => s.SpanId);
        var triage = Assert.Single(trace, s => s.Name == "triage decide");
        Assert.Equal("Emergency", triage.Attribute("spasm.triage.urgency"));
        // The submission's own append, under its call; the care-plan link appends to the stream later in the same trace.
        var append = Assert.Single(trace, s => s.ServiceName == "spasm-assessment" && s.Name == "append assessment" && s.ParentSpanId == server.SpanId);
        var publish = Assert.Single(trace, s => s.ServiceName == "spasm-assessment" && s.Name.StartsWith("outbox publish", StringComparison.Ordinal));
        Assert.Equal(SpanKind.Producer, publish.Span.Kind);
        foreach (var span in new[] { triage, append, publish })
        {
            Assert.True(DescendsFrom(span, server, byId), $"{span} should descend from the server span {server}");
        }

        // Across the broker: MassTransit's spans and the care-plan consumer and append hang under the relay's publish.
        Assert.Contains(trace, s => s.Scope == "MassTransit" && s.ServiceName == "spasm-assessment" && s.Span.Kind == SpanKind.Producer && DescendsFrom(s, publish, byId));
        Assert.Contains(trace, s => s.Scope == "MassTransit" && s.ServiceName == "spasm-care-plan" && s.Span.Kind == SpanKind.Consumer);
        var consume = Assert.Single(trace, s => s.ServiceName == "spasm-care-plan" && s.Name == "consume TriageDecided");
        var carePlanAppend = Assert.Single(trace, s => s.ServiceName == "spasm-care-plan" && s.Name == "append care_plan");
        Assert.True(DescendsFrom(consume, publish, byId), $"{consume} should descend from {publish}");
        Assert.True(DescendsFrom(carePlanAppend, consume, byId), $"{carePlanAppend} should descend from {consume}");

        // The events of both services carry the trace id as their correlation id.
        Assert.Equal([traceId], await CorrelationIdsAsync($"SELECT DISTINCT correlation_id FROM {platform.Assessment.Schema}.mt_events WHERE stream_id = $1", $"assessment-{assessmentId}"));
        Assert.Equal([traceId], await CorrelationIdsAsync($"SELECT DISTINCT correlation_id FROM {platform.CarePlanSchema}.mt_events WHERE stream_id = $1", $"careplan-{assessmentId}"));
        // And the trace they were appended in, in their headers (covered by the hash chain like the rest).
        Assert.Equal([traceId], await CorrelationIdsAsync($"SELECT DISTINCT headers->>'trace_id' FROM {platform.Assessment.Schema}.mt_events WHERE stream_id = $1", $"assessment-{assessmentId}"));
        Assert.Equal([traceId], await CorrelationIdsAsync($"SELECT DISTINCT headers->>'trace_id' FROM {platform.CarePlanSchema}.mt_events WHERE stream_id = $1", $"careplan-{assessmentId}"));
    }

    [Fact]
    public async Task One_submission_logs_from_both_services_under_its_trace_id()
    {
        using var clinic = new Activity("clinic submit");
        clinic.SetIdFormat(ActivityIdFormat.W3C);
        clinic.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        clinic.Start();
        var traceId = clinic.TraceId.ToHexString();
        var request = Submissions.LiftingStrain(Submissions.NewId("clinic"), Submissions.NewId("req"));
        var assessmentId = (await platform.Assessment.Client.SubmitAssessmentAsync(request)).Assessment.AssessmentId;
        clinic.Stop();

        List<ReceivedLog> logs = [];
        List<ReceivedSpan> spans = [];
        await Eventually.WaitAsync(
            () =>
            {
                logs = platform.Receiver.Logs.Where(l => l.TraceId == traceId).ToList();
                spans = platform.Receiver.Spans.Where(s => s.TraceId == traceId).ToList();
                // A record is exported before the span it was written in has ended: wait for both.
                return logs.Any(l => l.ServiceName == "spasm-care-plan" && spans.Any(s => s.SpanId == l.SpanId))
                    && logs.Any(l => l.ServiceName == "spasm-assessment" && l.Scope == "SpasmPlatform.Grpc.CallLog")
                    && spans.Any(s => s.Name == SubmitSpan);
            },
            TimeSpan.FromSeconds(60),
            $"the care-plan log records of trace {traceId}; received:\n{string.Join('\n', platform.Receiver.Logs)}\ncare-plan output:\n{platform.CarePlan.Output}");

        // The assessment service's call log, written inside its server span.
        var call = Assert.Single(logs, l => l.ServiceName == "spasm-assessment" && l.Scope == "SpasmPlatform.Grpc.CallLog");
        Assert.Equal(SeverityNumber.Info, call.Record.SeverityNumber);
        Assert.Contains("AssessmentService/SubmitAssessment -> OK", call.Body, StringComparison.Ordinal);
        Assert.Equal(Assert.Single(spans, s => s.Name == SubmitSpan).SpanId, call.SpanId);

        // The care-plan service's draft log, written inside the consumer's spans on the other side of the broker.
        var drafted = Assert.Single(logs, l => l.ServiceName == "spasm-care-plan" && l.Scope == "SpasmPlatform.CarePlan.Consumers.TriageDecidedConsumer");
        Assert.Equal(SeverityNumber.Info, drafted.Record.SeverityNumber);
        Assert.Equal(assessmentId, drafted.Attribute("AssessmentId"));
        Assert.StartsWith("Drafted care plan ", drafted.Body, StringComparison.Ordinal);
        Assert.Contains(spans, s => s.ServiceName == "spasm-care-plan" && s.SpanId == drafted.SpanId);

        // Every record that arrived, in this trace or not, came with its service's resource.
        Assert.All(platform.Receiver.Logs, l => Assert.Contains(l.ServiceName, new[] { "spasm-assessment", "spasm-care-plan" }));

        // The console still gets the same line (JSON or plain, as configured): OTLP is an addition, not a replacement.
        Assert.Contains(assessmentId, platform.CarePlan.Output, StringComparison.Ordinal);
    }

    private static bool DescendsFrom(ReceivedSpan span, ReceivedSpan ancestor, Dictionary<string, ReceivedSpan> byId)
    {
        var current = span;
        while (byId.TryGetValue(current.ParentSpanId, out var parent))
        {
            if (parent.SpanId == ancestor.SpanId)
            {
                return true;
            }

            current = parent;
        }

        return false;
    }

    private static async Task<List<string>> CorrelationIdsAsync(string sql, string streamId)
    {
        await using var dataSource = NpgsqlDataSource.Create(Platform.Postgres);
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = streamId });
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }
}
