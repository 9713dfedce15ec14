using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using SpasmPlatform.Contracts.Calling;
using Grpc.Net.Client;
using Grpc.Core;
using SpasmPlatform.IntegrationTests.Infrastructure;
using SpasmPlatform.IntegrationTests.Knowledge;
using SpasmPlatform.IntegrationTests.Observability;
using SpasmPlatform.Knowledge.Loading;
using SpasmPlatform.Knowledge.V1;
using Xunit.Abstractions;

namespace SpasmPlatform.IntegrationTests.Operations;

/// <summary>
/// Two knowledge instances on one schema, clients reading from both in turn; one gets SIGTERM mid-load. Every call the
/// stopped instance took on completes OK; the only failures are new calls it no longer takes (UNAVAILABLE), which the
/// client sends to the other instance; and the stopped one exits cleanly.
/// </summary>
[Collection(SerialPlatformCollection.Name)]
public sealed partial class KnowledgeGracefulShutdownTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Calls = 600;
    private const int Workers = 8;
    private const int StopAfterAnswered = 150;

    private static readonly KnowledgeBase FromFiles = KnowledgeLoader.LoadDirectory(KnowledgeContent.Directory);

    // Eight workers on one address are one caller to the rate limiter; this test is about the drain, not the limit.
    private static readonly Dictionary<string, string> Unlimited = new() { ["RateLimiting__Enabled"] = "false" };

    private readonly KnowledgeHost _host = new() { EntityPrefix = MessagingIsolation.NewPrefix(), Settings = Unlimited };
    private ServiceProcess _second = null!;

    public async Task InitializeAsync()
    {
        await _host.InitializeAsync();
        var environment = new Dictionary<string, string>(Unlimited) { ["EventStore__Schema"] = _host.Schema };
        MessagingIsolation.Add(environment, _host.EntityPrefix);
        _second = ServiceProcess.Start("Knowledge", environment);
        await _second.WaitForServingAsync();
    }

    public async Task DisposeAsync()
    {
        await _second.DisposeAsync();
        await _host.DisposeAsync();
        await RabbitMqAdmin.DeleteAsync(Platform.RabbitMq, [], [_host.AnnouncementExchange]);
    }

    [Fact]
    public async Task Stopping_one_of_two_instances_mid_load_fails_no_call_it_accepted()
    {
        // The channel's own retries (same address) are off: the test is the client that fails over to the other instance.
        using var first = PlatformChannels.Create(_host.Service.Address, retries: false);
        using var second = PlatformChannels.Create(_second.Address, retries: false);
        KnowledgeService.KnowledgeServiceClient[] clients = [new(first), new(second)];

        var answered = new int[2];
        var answeredAfterStop = new int[2];
        var failures = new ConcurrentBag<(int Instance, StatusCode Code, bool AfterStop, string Detail)>();
        var wrong = new ConcurrentBag<string>();
        var completed = 0;
        var stopping = 0;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Calls)
            {
                var instance = i % 2;
                for (var attempt = 0; attempt < 2; attempt++, instance = 1 - instance)
                {
                    try
                    {
                        if (await CallAsync(clients[instance], i) is { } mismatch)
                        {
                            wrong.Add($"call {i} on instance {instance}: {mismatch}");
                        }

                        Interlocked.Increment(ref answered[instance]);
                        if (Volatile.Read(ref stopping) == 1)
                        {
                            Interlocked.Increment(ref answeredAfterStop[instance]);
                        }

                        Interlocked.Increment(ref completed);
                        break;
                    }
                    catch (RpcException e)
                    {
                        failures.Add((instance, e.StatusCode, Volatile.Read(ref stopping) == 1, e.Status.Detail));
                    }
                }

                if (Volatile.Read(ref answered[0]) + Volatile.Read(ref answered[1]) >= StopAfterAnswered && Interlocked.Exchange(ref stopping, 1) == 0)
                {
                    _host.Service.Terminate();
                }
            }
        })));

        await _host.Service.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var stoppedOutput = _host.Service.Output;
        output.WriteLine($"answered: instance 0 {answered[0]} ({answeredAfterStop[0]} after SIGTERM was sent), instance 1 {answered[1]}; failed attempts: {failures.Count}");
        Assert.True(_host.Service.ExitCode == 0, $"the stopped instance exited with {_host.Service.ExitCode}; its output:\n{stoppedOutput}");
        Assert.DoesNotContain("Unhandled exception", stoppedOutput, StringComparison.Ordinal);

        // Every read completed, with the right content, on one instance or the other.
        Assert.Equal(Calls, completed);
        Assert.Empty(wrong);

        // The only failures: calls the stopped instance refused once it was stopping, each then answered by the other.
        Assert.All(failures, f =>
        {
            Assert.Equal(0, f.Instance);
            Assert.Equal(StatusCode.Unavailable, f.Code);
            Assert.True(f.AfterStop, $"instance 0 failed a call before it was stopped: {f.Detail}");
        });

        // What the stopped instance logged as answered is exactly what its clients received: no call it took on was
        // cut off on the way back, and none ended in anything but OK.
        var logged = CallLog().Matches(stoppedOutput).Select(m => m.Groups["status"].Value).ToList();
        Assert.All(logged, status => Assert.Equal("OK", status));
        Assert.Equal(answered[0], logged.Count);
    }

    /// <summary>One read, chosen by <paramref name="i"/>; returns what was wrong with the answer, or null.</summary>
    private static async Task<string?> CallAsync(KnowledgeService.KnowledgeServiceClient client, int i)
    {
        var options = new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30));
        switch (i % 3)
        {
            case 0:
                var rules = await client.GetRuleSetAsync(new GetRuleSetRequest(), options);
                return rules.Equals(FromFiles.RuleSet) ? null : $"rule set {rules.Version} is not the bundled one";
            case 1:
                var search = await client.SearchAsync(new SearchRequest { Query = "numb saddle area" }, options);
                return search.Hits.FirstOrDefault()?.Code == "cauda_equina_syndrome" ? null : $"search ranked {search.Hits.FirstOrDefault()?.Code} first";
            default:
                var knowledge = await client.GetKnowledgeBaseAsync(new GetKnowledgeBaseRequest(), options);
                return knowledge.ContentHash == FromFiles.ContentHash ? null : $"knowledge base {knowledge.ContentHash} is not the bundled one";
        }
    }

    /// <summary>ServerLoggingInterceptor's one line per call, for the knowledge API only (not health checks).</summary>
    [GeneratedRegex(@"gRPC /?spasm\.knowledge\.v1\.KnowledgeService/\w+ -> (?<status>\w+) in ")]
    private static partial Regex CallLog();
}
