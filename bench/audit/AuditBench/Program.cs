using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.Contracts.Calling;

// Usage: AuditBench ADDRESS IDS_FILE TRACE_CALLS
// IDS_FILE: assessment ids, one per line (trace targets are drawn from it at random, seed 42).
// Prints markdown table rows.
var address = new Uri(args[0]);
var ids = File.ReadAllLines(args[1]).Where(l => l.Length > 0).ToArray();
var traceCalls = int.Parse(args[2], CultureInfo.InvariantCulture);
using var channel = PlatformChannels.Create(address);
var audit = new AuditService.AuditServiceClient(channel);

// Every stream from the start, as an auditor's export would read it.
var clock = Stopwatch.StartNew();
long events = 0, bytes = 0;
using (var call = audit.StreamHistory(new StreamHistoryRequest(), new CallOptions(deadline: DateTime.UtcNow.AddMinutes(30))))
{
    await foreach (var item in call.ResponseStream.ReadAllAsync())
    {
        events++;
        bytes += item.CalculateSize();
    }
}

var streamSeconds = clock.Elapsed.TotalSeconds;
Console.WriteLine($"| StreamHistory, every stream from position 0 | {events:N0} events ({bytes / 1048576.0:0.0} MiB) in {streamSeconds:0.00} s | {events / streamSeconds:N0} events/s |");

foreach (var concurrency in new[] { 1, 8 })
{
    var random = new Random(42);
    var latencies = new List<double>();
    var warm = await audit.GetDecisionTraceAsync(new GetDecisionTraceRequest { AssessmentId = ids[0] });
    clock.Restart();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        for (var i = 0; i < traceCalls / concurrency; i++)
        {
            string id;
            lock (random)
            {
                id = ids[random.Next(ids.Length)];
            }

            var start = Stopwatch.GetTimestamp();
            await audit.GetDecisionTraceAsync(new GetDecisionTraceRequest { AssessmentId = id });
            var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            lock (latencies)
            {
                latencies.Add(ms);
            }
        }
    }));
    var seconds = clock.Elapsed.TotalSeconds;
    latencies.Sort();
    double P(double p) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p / 100 * latencies.Count) - 1)];
    Console.WriteLine($"| GetDecisionTrace, {concurrency} in flight, random assessments | {latencies.Count:N0} calls, {latencies.Count / seconds:N0}/s | p50 {P(50):0.00} ms, p99 {P(99):0.00} ms |");
}

clock.Restart();
var verify = await audit.VerifyIntegrityAsync(new VerifyIntegrityRequest(), new CallOptions(deadline: DateTime.UtcNow.AddMinutes(30)));
var verifySeconds = clock.Elapsed.TotalSeconds;
Console.WriteLine($"| VerifyIntegrity, every stream | {verify.EventsChecked:N0} events in {verifySeconds:0.00} s, intact = {verify.Intact} | {verify.EventsChecked / verifySeconds:N0} events/s |");
