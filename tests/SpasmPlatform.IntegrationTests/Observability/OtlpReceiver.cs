using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SpasmPlatform.IntegrationTests.Observability.Otlp;

namespace SpasmPlatform.IntegrationTests.Observability;

/// <summary>
/// An OTLP/HTTP endpoint in the test process: services started with <see cref="Environment"/> export their spans and
/// log records here (protobuf POSTs to /v1/traces and /v1/logs), and the test reads what arrived. Metrics are accepted
/// and counted.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly ConcurrentQueue<ReceivedLog> _logs = new();
    private int _metricExports;

    private OtlpReceiver(WebApplication app) => _app = app;

    public Uri Address { get; private set; } = null!;

    public IReadOnlyCollection<ReceivedSpan> Spans => _spans.ToArray();

    public IReadOnlyCollection<ReceivedLog> Logs => _logs.ToArray();

    public int MetricExports => Volatile.Read(ref _metricExports);

    /// <summary>What a service needs in its environment to export here, promptly (short batch and metric intervals).</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Address.ToString().TrimEnd('/'),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
    };

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", receiver.ReceiveTracesAsync);
        app.MapPost("/v1/logs", receiver.ReceiveLogsAsync);
        app.MapPost("/v1/metrics", async context =>
        {
            await Drain(context);
            Interlocked.Increment(ref receiver._metricExports);
            await Ok(context);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.Address = new Uri(address);
        return receiver;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private async Task ReceiveTracesAsync(HttpContext context)
    {
        var request = ExportTraceServiceRequest.Parser.ParseFrom(await ReadAsync(context));
        foreach (var resourceSpans in request.ResourceSpans)
        {
            var service = ServiceName(resourceSpans.Resource);
            foreach (var scopeSpans in resourceSpans.ScopeSpans)
            {
                foreach (var span in scopeSpans.Spans)
                {
                    _spans.Enqueue(new ReceivedSpan(service, scopeSpans.Scope?.Name ?? string.Empty, span));
                }
            }
        }

        await Ok(context);
    }

    private async Task ReceiveLogsAsync(HttpContext context)
    {
        var request = ExportLogsServiceRequest.Parser.ParseFrom(await ReadAsync(context));
        foreach (var resourceLogs in request.ResourceLogs)
        {
            var service = ServiceName(resourceLogs.Resource);
            foreach (var scopeLogs in resourceLogs.ScopeLogs)
            {
                foreach (var record in scopeLogs.LogRecords)
                {
                    _logs.Enqueue(new ReceivedLog(service, scopeLogs.Scope?.Name ?? string.Empty, record));
                }
            }
        }

        await Ok(context);
    }

    private static string ServiceName(Resource? resource) =>
        resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value?.StringValue ?? "(unknown)";

    private static async Task<byte[]> ReadAsync(HttpContext context)
    {
        var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        return body.ToArray();
    }

    private static Task Drain(HttpContext context) => context.Request.Body.CopyToAsync(Stream.Null);

    private static Task Ok(HttpContext context)
    {
        // An empty Export{Trace,Logs,Metrics}ServiceResponse: everything accepted.
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/x-protobuf";
        return Task.CompletedTask;
    }
}
