using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;

namespace SpasmPlatform.Bench.Platform;

/// <summary>
/// When each submitted assessment's care plan became readable, measured without asking the care-plan service: one
/// query every poll interval on the care-plan read model (the table GetCarePlan answers from, written in the drafting
/// transaction), for the rows past the last drafted_position seen. Polling GetCarePlan per assessment instead would
/// add a call per assessment per poll to the very services being measured.
/// drafted_position is an identity: numbers are taken at insert and become visible at commit, so a lower number can
/// appear after a higher one, and a rolled-back draft leaves a hole. The watcher keeps a floor below which every number
/// was seen, waits up to <see cref="HoleWait"/> for a hole to fill, and after a window looks up by assessment id any
/// plan it still misses. The figure is therefore "readable at most one poll interval (plus one query) before this".
/// </summary>
internal sealed class PlanWatcher : IAsyncDisposable
{
    private static readonly TimeSpan HoleWait = TimeSpan.FromSeconds(2);

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _table;
    private readonly TimeSpan _poll;
    private readonly ConcurrentDictionary<string, (long At, bool Record)> _acked = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _seenBeforeAck = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<(long Acked, long Drafted)> _drafted = [];
    private readonly SortedSet<long> _seenAboveFloor = [];
    private readonly CancellationTokenSource _stop = new();
    private long _floor;
    private long _draftedTotal;
    private long _holeSince;
    private Task? _loop;

    public PlanWatcher(NpgsqlDataSource dataSource, string carePlanSchema, TimeSpan poll)
    {
        _dataSource = dataSource;
        _table = $"{carePlanSchema}.care_plans";
        _poll = poll;
    }

    /// <summary>Acknowledged assessments whose plan has not been seen yet.</summary>
    public int Backlog => _acked.Count;

    public long QueryErrors { get; private set; }

    /// <summary>Plans of this run's submissions seen so far (warm-up included): their rate is the drafting rate.</summary>
    public long DraftedTotal => Interlocked.Read(ref _draftedTotal);

    public async Task StartAsync()
    {
        await using (var command = _dataSource.CreateCommand($"SELECT coalesce(max(drafted_position), 0) FROM {_table}"))
        {
            _floor = (long)(await command.ExecuteScalarAsync().ConfigureAwait(false))!;
        }

        _loop = Task.Run(() => LoopAsync(_stop.Token));
    }

    /// <summary>Called when SubmitAssessment answered: the clock of "plan drafted after the submission was acknowledged" starts.</summary>
    public void Acked(string assessmentId, long timestamp, bool record)
    {
        _acked[assessmentId] = (timestamp, record);
        // The watcher may have seen the plan before this reply was processed; only the one that removes the id from
        // _acked records it, so a plan is counted once whichever side gets there first.
        if (_seenBeforeAck.TryRemove(assessmentId, out var seen) && _acked.TryRemove(assessmentId, out var acked))
        {
            Drafted(acked, Math.Max(acked.At, seen));
        }
    }

    /// <summary>Takes the (ack, drafted) pairs of recorded submissions so far, leaving the watcher empty for the next window.</summary>
    public (double[] LatenciesMs, long Count) TakeDrafted()
    {
        var list = new List<double>();
        while (_drafted.TryTake(out var pair))
        {
            list.Add(Stopwatch.GetElapsedTime(pair.Acked, pair.Drafted).TotalMilliseconds);
        }

        return ([.. list], list.Count);
    }

    /// <summary>Waits until every acknowledged assessment has its plan, or the time is up; returns how long it took.</summary>
    public async Task<(TimeSpan Took, int Left)> DrainAsync(TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        var lastLookup = TimeSpan.Zero;
        while (!_acked.IsEmpty && clock.Elapsed < limit)
        {
            await Task.Delay(_poll).ConfigureAwait(false);
            if (clock.Elapsed - lastLookup > HoleWait)
            {
                lastLookup = clock.Elapsed;
                await LookUpMissingAsync().ConfigureAwait(false);
            }
        }

        return (clock.Elapsed, _acked.Count);
    }

    /// <summary>Forgets what is still pending (after a drain that timed out), so the next window starts clean.</summary>
    public void Forget()
    {
        _acked.Clear();
        _seenBeforeAck.Clear();
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await PollAsync(cancellationToken).ConfigureAwait(false);
                await Task.Delay(_poll, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (NpgsqlException)
            {
                QueryErrors++;
                await Task.Delay(_poll * 10, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand($"SELECT drafted_position, assessment_id FROM {_table} WHERE drafted_position > $1 ORDER BY drafted_position");
        command.Parameters.Add(new NpgsqlParameter { Value = _floor });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var now = Stopwatch.GetTimestamp();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var position = reader.GetInt64(0);
            if (!_seenAboveFloor.Add(position))
            {
                continue;
            }

            Seen(reader.GetString(1), now);
        }

        AdvanceFloor(now);
    }

    private void Seen(string assessmentId, long now)
    {
        if (_acked.TryRemove(assessmentId, out var acked))
        {
            Drafted(acked, now);
        }
        else
        {
            // Either another caller's plan, or ours drafted before our client recorded the reply; kept briefly.
            _seenBeforeAck[assessmentId] = now;
            if (_acked.TryRemove(assessmentId, out var late))
            {
                _seenBeforeAck.TryRemove(assessmentId, out _);
                Drafted(late, Math.Max(late.At, now));
            }

            if (_seenBeforeAck.Count > 100_000)
            {
                var old = now - (long)(60 * Stopwatch.Frequency);
                foreach (var (id, at) in _seenBeforeAck)
                {
                    if (at < old)
                    {
                        _seenBeforeAck.TryRemove(id, out _);
                    }
                }
            }
        }
    }

    private void Drafted((long At, bool Record) acked, long drafted)
    {
        Interlocked.Increment(ref _draftedTotal);
        if (acked.Record)
        {
            _drafted.Add((acked.At, drafted));
        }
    }

    private void AdvanceFloor(long now)
    {
        while (_seenAboveFloor.Count > 0)
        {
            var lowest = _seenAboveFloor.Min;
            if (lowest == _floor + 1)
            {
                _floor = lowest;
                _seenAboveFloor.Remove(lowest);
                _holeSince = 0;
                continue;
            }

            // A hole below the lowest number seen: a draft still committing, or one rolled back.
            if (_holeSince == 0)
            {
                _holeSince = now;
            }
            else if (Stopwatch.GetElapsedTime(_holeSince, now) > HoleWait)
            {
                _floor = lowest - 1;
                _holeSince = 0;
                continue;
            }

            break;
        }
    }

    private async Task LookUpMissingAsync()
    {
        var missing = _acked.Keys.Take(10_000).ToArray();
        if (missing.Length == 0)
        {
            return;
        }

        await using var command = _dataSource.CreateCommand($"SELECT assessment_id FROM {_table} WHERE assessment_id = ANY($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = missing });
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        var now = Stopwatch.GetTimestamp();
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            Seen(reader.GetString(0), now);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }
}
