using Microsoft.Extensions.Logging;

namespace SpasmPlatform.EventStore.Projections;

/// <summary>
/// Runs one projection in this process: competes for its lock, follows the store while holding it, and hands the lock
/// to an in-process rebuild on request, so a rebuild starts after at most one batch instead of waiting for a restart.
/// </summary>
internal sealed class ProjectionAgent(PostgresEventStore store, IAsyncProjection projection, ProjectionDaemonOptions options, ILogger logger)
{
    // Whoever holds the turn may hold the projection's lock in this process: the follower or a rebuild, never both.
    private readonly SemaphoreSlim _turn = new(1, 1);

    // Cuts the follower's wait between polls short. Extra releases only cause one early poll, so it is left unbounded.
    private readonly SemaphoreSlim _wake = new(0);
    private int _rebuildsWaiting;
    private long _polls;
    private ProjectionStatus _status = new(projection.Name, false, 0, null, 0, null);

    public string Name => projection.Name;

    public ProjectionStatus Status => Volatile.Read(ref _status);

    /// <summary>The follower loop; returns only when <paramref name="stoppingToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _turn.WaitAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            TimeSpan pause;
            try
            {
                pause = Volatile.Read(ref _rebuildsWaiting) > 0 ? options.PollInterval : await FollowAsync(stoppingToken).ConfigureAwait(false);
            }
            finally
            {
                _turn.Release();
            }

            try
            {
                await Task.Delay(pause, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Requests a rebuild and sees it through: here when this process can take the projection's lock, otherwise by
    /// waiting while the instance that holds it carries the request out. Cancelling stops this call only: the request
    /// stays, and whoever runs the projection next continues the rebuild from its checkpoint.
    /// </summary>
    public async Task RebuildAsync(CancellationToken cancellationToken)
    {
        await ProjectionRunner.RequestRebuildAsync(store, Name, cancellationToken).ConfigureAwait(false);
        var logged = false;
        while (!await TryRebuildHereAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!await ProjectionRunner.IsRebuildPendingAsync(store, Name, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            if (!logged)
            {
                ProjectionDaemonLog.RebuildWaitingForLock(logger, Name);
                logged = true;
            }

            await Task.Delay(options.PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<bool> TryRebuildHereAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _rebuildsWaiting);
        _wake.Release();
        try
        {
            await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await using var runner = await ProjectionRunner.TryAcquireAsync(store, projection, options.BatchSize, cancellationToken).ConfigureAwait(false);
                if (runner is null)
                {
                    return false;
                }

                try
                {
                    while (true)
                    {
                        var step = await StepAsync(runner, cancellationToken).ConfigureAwait(false);
                        if (!step.RebuildInProgress)
                        {
                            ProjectionDaemonLog.Rebuilt(logger, Name, runner.Checkpoint);
                            return true;
                        }

                        if (!step.LookAgainNow)
                        {
                            await Task.Delay(options.PollInterval, cancellationToken).ConfigureAwait(false);
                        }
                    }
                }
                finally
                {
                    Volatile.Write(ref _status, Status with { IsRunning = false, WaitingFor = null });
                }
            }
            finally
            {
                _turn.Release();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _rebuildsWaiting);
        }
    }

    /// <summary>Follows the store while holding the lock; returns how long to wait before competing for it again.</summary>
    private async Task<TimeSpan> FollowAsync(CancellationToken stoppingToken)
    {
        ProjectionRunner? runner = null;
        try
        {
            runner = await ProjectionRunner.TryAcquireAsync(store, projection, options.BatchSize, stoppingToken).ConfigureAwait(false);
            if (runner is null)
            {
                // Another instance runs it; keep asking in case that one stops.
                return options.PollInterval;
            }

            ProjectionDaemonLog.Running(logger, Name, runner.Checkpoint);
            Volatile.Write(ref _status, Status with { IsRunning = true, Checkpoint = runner.Checkpoint });

            // Wake-ups left by rebuild attempts while standing by would otherwise cause a burst of early polls.
            while (_wake.Wait(0))
            {
            }

            // Checked between steps: a rebuild waits for at most the batch in flight, which then commits or rolls back whole.
            while (Volatile.Read(ref _rebuildsWaiting) == 0)
            {
                var step = await StepAsync(runner, stoppingToken).ConfigureAwait(false);
                if (!step.LookAgainNow)
                {
                    await _wake.WaitAsync(options.PollInterval, stoppingToken).ConfigureAwait(false);
                }
            }

            return TimeSpan.Zero;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Nothing uncommitted survives; the stored checkpoint says where the next run resumes.
            return TimeSpan.Zero;
        }
        catch (Exception ex)
        {
            ProjectionDaemonLog.Failed(logger, ex, Name, runner?.Checkpoint ?? Status.Checkpoint);
            Volatile.Write(ref _status, Status with { LastError = ex.Message });
            return options.ErrorBackoff;
        }
        finally
        {
            if (runner is not null)
            {
                await runner.DisposeAsync().ConfigureAwait(false);
                Volatile.Write(ref _status, Status with { IsRunning = false, WaitingFor = null });
            }
        }
    }

    private async Task<StepResult> StepAsync(ProjectionRunner runner, CancellationToken cancellationToken)
    {
        var step = await runner.StepAsync(cancellationToken).ConfigureAwait(false);
        if (step.ReadModelReset)
        {
            ProjectionDaemonLog.ReadModelReset(logger, Name);
        }

        var polls = Interlocked.Increment(ref _polls);
        Volatile.Write(ref _status, new ProjectionStatus(Name, IsRunning: true, runner.Checkpoint, runner.WaitingFor, polls, LastError: null));
        return step;
    }
}
