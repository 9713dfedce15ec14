using System.Diagnostics;

namespace SpasmPlatform.Fuzzing;

/// <summary>
/// A fuzz run: every seed and stored regression of every RPC first, then <see cref="FuzzSettings.Iterations"/> random
/// hostile requests spread over the endpoints, one at a time so the sequence depends on the seed alone. Every
/// <see cref="LivenessEvery"/> requests (and at the end) each endpoint must still answer health SERVING.
/// </summary>
public sealed class FuzzRun(FuzzSettings settings, Action<string> log)
{
    public const int LivenessEvery = 50;

    /// <summary>Tiny deadlines on writes leave it open whether the write committed; only for servers without a store.</summary>
    public bool TinyDeadlinesOnWrites { get; init; }

    public async Task<FuzzReport> RunAsync(IReadOnlyList<FuzzEndpoint> endpoints)
    {
        var report = new FuzzReport(settings.Seed);
        log($"fuzz seed {settings.Seed}, {settings.Iterations} iterations ({FuzzSettings.SeedVariable} / {FuzzSettings.IterationsVariable})");
        var clock = Stopwatch.StartNew();
        var seeds = endpoints.ToDictionary(e => e, e => e.Targets.ToDictionary(t => t, t => Seeds(e, t)));

        foreach (var endpoint in endpoints)
        {
            foreach (var target in endpoint.Targets)
            {
                var replays = seeds[endpoint][target].Select(seed => RequestFactory.Valid(target, seed)).Concat(endpoint.Corpus.Regressions(target));
                foreach (var request in replays)
                {
                    await SendAsync(endpoint, target, request, report, -1).ConfigureAwait(false);
                    report.Regressions++;
                }
            }

            await LivenessAsync(endpoint, report, -1).ConfigureAwait(false);
        }

        var random = new Random(settings.Seed);
        for (var i = 0; i < settings.Iterations; i++)
        {
            var endpoint = endpoints[random.Next(endpoints.Count)];
            var target = endpoint.Targets[random.Next(endpoint.Targets.Count)];
            var request = RequestFactory.Create(random, target, seeds[endpoint][target], TinyDeadlinesOnWrites);
            await SendAsync(endpoint, target, request, report, i).ConfigureAwait(false);
            report.Iterations++;
            if ((i + 1) % LivenessEvery == 0 || i == settings.Iterations - 1)
            {
                foreach (var each in endpoints)
                {
                    if (!await LivenessAsync(each, report, i).ConfigureAwait(false))
                    {
                        report.Duration = clock.Elapsed;
                        return report;
                    }
                }
            }
        }

        report.Duration = clock.Elapsed;
        log(report.ToString());
        return report;
    }

    private static List<byte[]> Seeds(FuzzEndpoint endpoint, FuzzTarget target)
    {
        var seeds = endpoint.Corpus.Seeds(target);
        seeds.AddRange(endpoint.ExtraSeeds?.Invoke(target) ?? []);
        return seeds.Count > 0 ? seeds : [[]];
    }

    private async Task SendAsync(FuzzEndpoint endpoint, FuzzTarget target, HostileRequest request, FuzzReport report, int iteration)
    {
        var response = await endpoint.Client.SendAsync(request, target.ServerStreams).ConfigureAwait(false);
        report.Requests++;
        report.TargetsHit.Add(target.Path);
        Count(report.Statuses, response.Label);
        foreach (var mutation in request.Mutations)
        {
            Count(report.Mutations, mutation);
        }

        var messages = new List<byte[]>();
        if (ResponseChecker.Check(target, request, response, messages) is { } reason)
        {
            Record(report, target, new Finding(endpoint.Name, request, reason, settings.Seed, iteration));
        }
        else if (response.GrpcStatus == "0")
        {
            endpoint.OnOk?.Invoke(target, messages);
        }
    }

    private async Task<bool> LivenessAsync(FuzzEndpoint endpoint, FuzzReport report, int iteration)
    {
        var problem = endpoint.Alive?.Invoke() ?? await HealthProbe.CheckAsync(endpoint.Client).ConfigureAwait(false);
        if (problem is null)
        {
            return true;
        }

        var health = new HostileRequest("POST", "/grpc.health.v1.Health/Check", "application/grpc", [], [], ["liveness"]);
        report.Findings.Add(new Finding(endpoint.Name, health, $"after the requests up to iteration {iteration}: {problem}", settings.Seed, iteration));
        log($"{endpoint.Name} is not serving after iteration {iteration}: {problem}");
        return false;
    }

    private void Record(FuzzReport report, FuzzTarget target, Finding finding)
    {
        var known = report.Findings.Count(f => f.Key == finding.Key);
        report.Findings.Add(finding);
        log($"FINDING {finding}");
        // Up to three inputs per kind of finding: enough to reproduce, few enough to review.
        if (known < 3 && !finding.Request.Mutations.Contains("regression"))
        {
            report.SavedFindings.Add(Corpus.Save(settings.FindingsDirectory, target, finding));
        }
    }

    private static void Count(SortedDictionary<string, int> counts, string key) =>
        counts[key] = counts.GetValueOrDefault(key) + 1;
}
