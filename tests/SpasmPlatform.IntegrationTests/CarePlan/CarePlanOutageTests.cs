using SpasmPlatform.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace SpasmPlatform.IntegrationTests.CarePlan;

/// <summary>
/// The issue's failure promise: with RabbitMQ or PostgreSQL restarted mid-flow, every triage still ends with exactly
/// one plan once they are back. Each test stops a private broker or database of its own: the shared ones serve other
/// tests and the running platform and are never stopped.
/// </summary>
public sealed class CarePlanOutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_triage_gets_exactly_one_plan_when_the_broker_restarts_mid_flow()
    {
        await using var node = await PrivateRabbitMqNode.StartNewAsync();
        await using var rig = await CarePlanOutageRig.StartAsync(Platform.Postgres, node.Uri);
        var before = CarePlanOutageRig.Triages(60);
        await rig.PublishAsync(before);

        // Mid-flow: the first plans are committed, the two instances hold more messages unacknowledged.
        await Eventually.WaitAsync(async () => await rig.HandledAsync(before) > 0, TimeSpan.FromSeconds(60), $"the first message to be handled; output:\n{rig.Output}");
        await node.StopAsync();
        output.WriteLine($"broker stopped with {await rig.HandledAsync(before)} of {before.Count} messages handled");

        await node.StartAsync();
        // After the restart: new triages, true redeliveries of some earlier messages (same MessageId) and more
        // republished ones (new MessageId) for assessments that may or may not have their plan yet.
        var after = CarePlanOutageRig.Triages(20);
        var again = before.Where((_, i) => i % 7 == 0).ToList();
        var republished = before.Where((_, i) => i % 5 == 0).Select(m => m with { MessageId = Guid.NewGuid() }).ToList();
        await rig.PublishWhenConnectedAsync([.. after, .. again, .. republished]);

        List<Contracts.IntegrationEvents.TriageDecided> all = [.. before, .. after, .. republished];
        await rig.WaitHandledAsync(all);
        var assessments = all.Select(m => m.AssessmentId).Distinct().ToList();
        Assert.Equal(80, assessments.Count);
        await rig.AssertExactlyOnePlanEachAsync(assessments);
        await rig.AssertEveryPlanAnnouncedAsync(assessments);
        output.WriteLine($"outbox relay retries logged: {rig.Output.Split('\n').Count(line => line.Contains("Outbox relay of schema", StringComparison.Ordinal))}");
    }

    [Fact]
    public async Task Every_triage_gets_exactly_one_plan_when_the_database_restarts_mid_flow()
    {
        await using var cluster = await PrivatePostgresCluster.StartNewAsync();
        await using var rig = await CarePlanOutageRig.StartAsync(cluster.ConnectionString, Platform.RabbitMq);
        var before = CarePlanOutageRig.Triages(60);
        await rig.PublishAsync(before);

        await Eventually.WaitAsync(async () => await rig.HandledAsync(before) > 0, TimeSpan.FromSeconds(60), $"the first message to be handled; output:\n{rig.Output}");
        await cluster.StopAsync();
        // Published while the database is away: the consumers take them and cannot commit anything.
        var during = CarePlanOutageRig.Triages(20);
        await rig.PublishAsync(during);
        await rig.WaitNotServingAsync();

        // Back before the consumers' retry intervals (InboxRetryPolicy.Default, about 8 s) run out: a longer outage
        // sends the messages in flight to the error queue (see the README's failure behaviour).
        await cluster.StartAsync();
        List<Contracts.IntegrationEvents.TriageDecided> all = [.. before, .. during];
        await rig.WaitHandledAsync(all);
        var assessments = all.Select(m => m.AssessmentId).Distinct().ToList();
        Assert.Equal(80, assessments.Count);
        await rig.AssertExactlyOnePlanEachAsync(assessments);
        await rig.AssertEveryPlanAnnouncedAsync(assessments);
    }
}
