using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Bench.Load;
using SpasmPlatform.Contracts.Calling;

// Usage: LoadGen ADDRESS SAMPLES_DIR closed CONCURRENCY DURATION WARMUP
//        LoadGen ADDRESS SAMPLES_DIR open RATE DURATION WARMUP
//        LoadGen ADDRESS SAMPLES_DIR request FILE      (one gRPC-framed SubmitAssessmentRequest, for h2load -d)
// Prints one tab-separated row per measured run (header first).
var address = new Uri(args[0]);
var submissions = Submissions.Load(args[1], $"bench-{DateTime.UtcNow:yyyyMMddHHmmss}-{Environment.ProcessId}");
var mode = args[2];
if (mode == "request")
{
    // 5-byte gRPC prefix: uncompressed flag, then the message length big-endian.
    var body = submissions.Next().ToByteArray();
    var framed = new byte[5 + body.Length];
    System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(framed.AsSpan(1), body.Length);
    body.CopyTo(framed, 5);
    File.WriteAllBytes(args[3], framed);
    return 0;
}

var load = int.Parse(args[3], CultureInfo.InvariantCulture);
var duration = TimeSpan.FromSeconds(double.Parse(args[4], CultureInfo.InvariantCulture));
var warmup = TimeSpan.FromSeconds(double.Parse(args[5], CultureInfo.InvariantCulture));

// The channel a clinic system gets (PlatformChannels), so the figures include what a real caller pays, retries of
// UNAVAILABLE included: SubmitAssessment is IDEMPOTENT, and a retried call still counts once, with its whole latency.
using var channel = PlatformChannels.Create(address);
var assessments = new AssessmentService.AssessmentServiceClient(channel);

async Task<(bool Ok, bool Duplicate)> SubmitAsync()
{
    try
    {
        var response = await assessments.SubmitAssessmentAsync(submissions.Next(), new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30)));
        return (true, response.Duplicate);
    }
    catch (RpcException)
    {
        return (false, false);
    }
}

Measurement result = mode switch
{
    "closed" => await ClosedLoopAsync(load),
    "open" => await OpenLoopAsync(load),
    _ => throw new ArgumentException($"unknown mode {mode}"),
};
Console.WriteLine(Measurement.Header);
Console.WriteLine(result.ToRow());
return result.Failed == 0 ? 0 : 1;

// C workers, each sending its next call as soon as the last one answers: the throughput ceiling at C in flight.
async Task<Measurement> ClosedLoopAsync(int concurrency)
{
    await RunWorkersAsync(concurrency, warmup, null);
    var latencies = new ConcurrentBag<double[]>();
    var (seconds, completed, failed, duplicates, cpu) = await MeasureAsync(() => RunWorkersAsync(concurrency, duration, latencies));
    return new Measurement("closed", $"{concurrency} in flight", seconds, completed, failed, duplicates, latencies.SelectMany(l => l).ToArray(), cpu);
}

// Calls start on a fixed schedule whatever the answers do; latency counts from the scheduled start, so a stall
// shows up in the percentiles instead of silently slowing the sender (coordinated omission).
async Task<Measurement> OpenLoopAsync(int rate)
{
    await ScheduleAsync(rate, warmup, null);
    var latencies = new ConcurrentBag<double>();
    var (seconds, completed, failed, duplicates, cpu) = await MeasureAsync(() => ScheduleAsync(rate, duration, latencies));
    return new Measurement("open", $"{rate}/s", seconds, completed, failed, duplicates, latencies.ToArray(), cpu);
}

async Task<(double Seconds, long Completed, long Failed, long Duplicates, Dictionary<string, double> Cpu)> MeasureAsync(Func<Task<(long, long, long)>> run)
{
    var before = CpuSampler.Sample();
    var clock = Stopwatch.StartNew();
    var (completed, failed, duplicates) = await run();
    var seconds = clock.Elapsed.TotalSeconds;
    var after = CpuSampler.Sample();
    var cores = after.ToDictionary(p => p.Key, p => (p.Value - before.GetValueOrDefault(p.Key)) / seconds);
    return (seconds, completed, failed, duplicates, cores);
}

async Task<(long, long, long)> RunWorkersAsync(int concurrency, TimeSpan length, ConcurrentBag<double[]>? latencies)
{
    long completed = 0, failed = 0, duplicates = 0;
    var until = Stopwatch.GetTimestamp() + (long)(length.TotalSeconds * Stopwatch.Frequency);
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        var mine = new List<double>(4096);
        while (Stopwatch.GetTimestamp() < until)
        {
            var start = Stopwatch.GetTimestamp();
            var (ok, duplicate) = await SubmitAsync();
            mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            Interlocked.Increment(ref ok ? ref completed : ref failed);
            if (duplicate)
            {
                Interlocked.Increment(ref duplicates);
            }
        }

        latencies?.Add(mine.ToArray());
    }));
    return (completed, failed, duplicates);
}

async Task<(long, long, long)> ScheduleAsync(int perSecond, TimeSpan length, ConcurrentBag<double>? latencies)
{
    long completed = 0, failed = 0, duplicates = 0;
    var total = (long)(perSecond * length.TotalSeconds);
    var interval = Stopwatch.Frequency / (double)perSecond;
    var origin = Stopwatch.GetTimestamp();
    var inFlight = new List<Task>();
    for (long i = 0; i < total; i++)
    {
        var scheduled = origin + (long)(i * interval);
        var wait = scheduled - Stopwatch.GetTimestamp();
        if (wait > Stopwatch.Frequency / 1000)
        {
            await Task.Delay(TimeSpan.FromSeconds(wait / (double)Stopwatch.Frequency));
        }

        inFlight.Add(Task.Run(async () =>
        {
            var (ok, duplicate) = await SubmitAsync();
            latencies?.Add(Stopwatch.GetElapsedTime(scheduled).TotalMilliseconds);
            Interlocked.Increment(ref ok ? ref completed : ref failed);
            if (duplicate)
            {
                Interlocked.Increment(ref duplicates);
            }
        }));
        if (inFlight.Count >= 4096)
        {
            inFlight.RemoveAll(t => t.IsCompleted);
        }
    }

    await Task.WhenAll(inFlight);
    return (completed, failed, duplicates);
}
