using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Bench.Load;
using SpasmPlatform.CarePlan.V1;

namespace SpasmPlatform.Bench.CarePlan;

/// <summary>
/// One assessment's journey as a clinic system sees it: SubmitAssessment, then GetCarePlan by assessment id until the
/// plan is there. Submissions start on a fixed schedule whatever the answers do (open loop), so a stall piles up work
/// instead of quietly slowing the sender.
/// </summary>
internal sealed class PlanProbe(
    AssessmentService.AssessmentServiceClient assessments,
    CarePlanService.CarePlanServiceClient carePlans,
    Submissions submissions,
    TimeSpan pollInterval,
    TimeSpan giveUpAfter)
{
    private long _pollErrors;

    public async Task<PlanRun> RunAsync(int perSecond, TimeSpan length, bool record)
    {
        var planLatencies = new ConcurrentBag<double>();
        var submitLatencies = new ConcurrentBag<double>();
        long submitFailed = 0, neverReadable = 0, polls = 0;
        Interlocked.Exchange(ref _pollErrors, 0);
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
                string assessmentId;
                try
                {
                    var reply = await assessments.SubmitAssessmentAsync(submissions.Next(), new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30)));
                    assessmentId = reply.Assessment.AssessmentId;
                }
                catch (RpcException)
                {
                    Interlocked.Increment(ref submitFailed);
                    return;
                }

                // The clock the issue names starts here: the reply is when the clinic system learns the assessment id.
                var replied = Stopwatch.GetTimestamp();
                submitLatencies.Add(Stopwatch.GetElapsedTime(scheduled, replied).TotalMilliseconds);
                var (found, attempts) = await PollAsync(assessmentId, replied);
                Interlocked.Add(ref polls, attempts);
                if (found is { } readable)
                {
                    planLatencies.Add(Stopwatch.GetElapsedTime(replied, readable).TotalMilliseconds);
                }
                else
                {
                    Interlocked.Increment(ref neverReadable);
                }
            }));
            if (inFlight.Count >= 4096)
            {
                inFlight.RemoveAll(t => t.IsCompleted);
            }
        }

        await Task.WhenAll(inFlight);
        var seconds = Stopwatch.GetElapsedTime(origin).TotalSeconds;
        return record
            ? new PlanRun(perSecond, total, seconds, submitFailed, neverReadable, polls, Interlocked.Read(ref _pollErrors), [.. submitLatencies], [.. planLatencies])
            : new PlanRun(perSecond, total, seconds, submitFailed, neverReadable, polls, Interlocked.Read(ref _pollErrors), [], []);
    }

    /// <summary>The moment a GetCarePlan answered with the plan (null if it never did), and how many calls that took.</summary>
    private async Task<(long? Found, long Attempts)> PollAsync(string assessmentId, long since)
    {
        var request = new GetCarePlanRequest { AssessmentId = assessmentId };
        long attempts = 0;
        while (Stopwatch.GetElapsedTime(since) < giveUpAfter)
        {
            attempts++;
            try
            {
                await carePlans.GetCarePlanAsync(request, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10)));
                return (Stopwatch.GetTimestamp(), attempts);
            }
            catch (RpcException e)
            {
                // NOT_FOUND is the expected answer until the plan is drafted; anything else is counted, and polling goes on.
                if (e.StatusCode != StatusCode.NotFound)
                {
                    Interlocked.Increment(ref _pollErrors);
                }

                await Task.Delay(pollInterval);
            }
        }

        return (null, attempts);
    }
}
