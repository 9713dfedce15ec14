using System.Globalization;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Bench.CarePlan;
using SpasmPlatform.Bench.Load;
using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.Contracts.Calling;

// Usage: PlanLatency ASSESSMENT_ADDRESS CAREPLAN_ADDRESS SAMPLES_DIR RATE DURATION WARMUP POLL_MS
// Prints a header and one tab-separated row for the measured run.
var assessmentAddress = new Uri(args[0]);
var carePlanAddress = new Uri(args[1]);
var submissions = Submissions.Load(args[2], $"bench-cp-{DateTime.UtcNow:yyyyMMddHHmmss}-{Environment.ProcessId}");
var rate = int.Parse(args[3], CultureInfo.InvariantCulture);
var duration = TimeSpan.FromSeconds(double.Parse(args[4], CultureInfo.InvariantCulture));
var warmup = TimeSpan.FromSeconds(double.Parse(args[5], CultureInfo.InvariantCulture));
var poll = TimeSpan.FromMilliseconds(double.Parse(args[6], CultureInfo.InvariantCulture));

using var assessmentChannel = PlatformChannels.Create(assessmentAddress);
using var carePlanChannel = PlatformChannels.Create(carePlanAddress);
var probe = new PlanProbe(
    new AssessmentService.AssessmentServiceClient(assessmentChannel),
    new CarePlanService.CarePlanServiceClient(carePlanChannel),
    submissions,
    poll,
    TimeSpan.FromSeconds(30));

await probe.RunAsync(rate, warmup, record: false);
var run = await probe.RunAsync(rate, duration, record: true);
Console.WriteLine(PlanRun.Header);
Console.WriteLine(run.ToRow());
return run.SubmitFailed + run.NeverReadable == 0 ? 0 : 1;
