using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using SpasmPlatform.EventStore;
using SpasmPlatform.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>Marten's daemon over time: restarts, several instances of one projection (HotCold), failing batches.</summary>
[Collection(AsyncProjectionCollection.Name)]
public sealed class AsyncProjectionDaemonTests(ITestOutputHelper output) : ProjectionTestBase(output)
{
    public enum BatchFailure
    {
        /// <summary>The batch's statements ran, then the commit failed (a database error in the same transaction).</summary>
        AtCommit,

        /// <summary>The projection's own code threw after queueing its statements.</summary>
        InProjectionCode,
    }

    [Fact]
    public async Task A_host_with_an_asynchronous_projection_runs_it_and_hands_it_over_when_stopped()
    {
        // What a service host does: AddEventStore with a projection registered asynchronous; nothing else started.
        var first = StartHost(new StreamSummaryProjection(H.Schema));
        await first.Host.StartAsync();
        for (var i = 0; i < 6; i++)
        {
            await H.AppendAsync($"patient-{i % 3}", 2);
        }

        await H.WaitUntilCaughtUpAsync();
        Assert.Equal(12, first.Projection.EventsHandled);

        // A second instance stands by; once the first stops, it takes over and handles only what is new.
        var second = StartHost(new StreamSummaryProjection(H.Schema));
        await second.Host.StartAsync();
        await first.Host.StopAsync();
        await H.AppendAsync("patient-9", 5);
        await H.WaitUntilCaughtUpAsync();

        Assert.Equal(5, second.Projection.EventsHandled);
        Assert.Equal(12, first.Projection.EventsHandled);
        await H.AssertExactlyOnceInOrderAsync();
        await second.Host.StopAsync();
        first.Host.Dispose();
        second.Host.Dispose();
    }

    private (IHost Host, StreamSummaryProjection Projection) StartHost(StreamSummaryProjection projection)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddProvider(new TestOutputLoggerProvider(Output));
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(Platform.Postgres));
        builder.Services.AddEventStore(options =>
        {
            options.Schema = H.Schema;
            options.Types.Register<PainRecorded>(TestEvents.PainRecordedName);
            options.Marten.Add(marten =>
            {
                projection.Register(marten);
                // Marten's defaults poll every second or more; the handover would take seconds.
                marten.Projections.FastPollingTime = TimeSpan.FromMilliseconds(50);
                marten.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(100);
                marten.Projections.LeadershipPollingTime = 250;
            });
        });
        return (builder.Build(), projection);
    }

    [Fact]
    public async Task Checkpoint_survives_a_restart_and_nothing_is_applied_twice()
    {
        var first = H.NewNode();
        await first.StartDaemonAsync();
        for (var i = 0; i < 10; i++)
        {
            await H.AppendAsync($"patient-{i % 4}", 3);
        }

        await H.WaitUntilCaughtUpAsync();
        await first.StopDaemonAsync();
        var stoppedAt = await H.ProgressAsync();
        Assert.Equal(30, first.Projection.EventsHandled);
        Assert.Equal(await H.HeadAsync(), stoppedAt);

        for (var i = 0; i < 5; i++)
        {
            await H.AppendAsync($"patient-{i % 3}", 4);
        }

        // A new process: nothing carried over in memory, only the stored progress.
        var second = H.NewNode();
        await second.StartDaemonAsync();
        await H.WaitUntilCaughtUpAsync();

        Assert.Equal(20, second.Projection.EventsHandled);
        Assert.Equal(30, first.Projection.EventsHandled);
        await H.AssertExactlyOnceInOrderAsync();
    }

    [Fact]
    public async Task One_instance_runs_a_projection_and_a_standby_takes_over_when_it_stops()
    {
        var nodes = new[] { H.NewNode(), H.NewNode(), H.NewNode() };
        foreach (var node in nodes)
        {
            await node.StartCoordinatorAsync();
        }

        for (var i = 0; i < 20; i++)
        {
            await H.AppendAsync($"patient-{i % 5}", 2);
        }

        await H.WaitUntilCaughtUpAsync();
        await Eventually.WaitAsync(() => nodes.Count(n => n.IsRunningProjection) == 1, TimeSpan.FromSeconds(10), "exactly one node to run the projection");
        var leader = nodes.Single(n => n.IsRunningProjection);
        Assert.Equal(40, leader.Projection.EventsHandled);
        Assert.Equal(40, nodes.Sum(n => n.Projection.EventsHandled));

        await leader.StopCoordinatorAsync();
        for (var i = 0; i < 10; i++)
        {
            await H.AppendAsync($"patient-{i % 5}", 3);
        }

        await H.WaitUntilCaughtUpAsync();
        var standbys = nodes.Where(n => n != leader).ToList();
        await Eventually.WaitAsync(() => standbys.Count(n => n.IsRunningProjection) == 1, TimeSpan.FromSeconds(10), "exactly one standby to run the projection");
        Assert.Equal(40, leader.Projection.EventsHandled);
        Assert.Equal(30, standbys.Single(n => n.IsRunningProjection).Projection.EventsHandled);
        Assert.Equal(70, nodes.Sum(n => n.Projection.EventsHandled));
        await H.AssertExactlyOnceInOrderAsync();
    }

    /// <summary>
    /// The failed batch's writes roll back with its progress row; the HotCold coordinator restarts the paused agent,
    /// which retries from the stored progress. Thrown from projection code, the exception is not one of Marten's
    /// "apply event" errors, so even its default SkipApplyErrors does not dead-letter (skip) the events.
    /// </summary>
    [Theory]
    [InlineData(BatchFailure.AtCommit)]
    [InlineData(BatchFailure.InProjectionCode)]
    public async Task Failing_batch_rolls_back_and_is_applied_once_when_retried(BatchFailure failure)
    {
        var node = H.NewNode(batchSize: 10);
        if (failure == BatchFailure.AtCommit)
        {
            node.Projection.FailNextCommits(2);
        }
        else
        {
            node.Projection.FailNextApplyCalls(2);
        }

        for (var i = 0; i < 6; i++)
        {
            await H.AppendAsync($"patient-{i % 2}", 5);
        }

        await node.StartCoordinatorAsync();
        await H.WaitUntilCaughtUpAsync();

        Assert.Equal(0, node.Projection.PendingFailures);
        Assert.True(node.Projection.EventsHandled > 30, $"the failed batches were not retried: {node.Projection.EventsHandled} events handled");
        await Eventually.WaitAsync(() => node.IsRunningProjection, TimeSpan.FromSeconds(10), "the agent to be running after the failures");
        await H.AssertExactlyOnceInOrderAsync();
    }
}
