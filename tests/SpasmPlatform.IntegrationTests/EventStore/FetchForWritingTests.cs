using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Integrity;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>
/// EventStoreSession.FetchForWritingAsync: Marten's live aggregation by our own fold, and Marten's check, at save, of
/// the version it fetched.
/// </summary>
public sealed class FetchForWritingTests(EventStoreDatabase db) : IClassFixture<EventStoreDatabase>
{
    [Fact]
    public async Task The_fetched_state_is_the_fold_of_the_stream_as_read_upcasts_metadata_and_times_included()
    {
        var stream = $"fetch-{Guid.NewGuid()}";
        var old = await db.CreateStoreAsync(options => options.Types.Register<PainScoreV1>("pain_score"));
        await old.AppendAsync(stream, "t", ExpectedVersion.NoStream, [new NewEvent(Guid.NewGuid(), "pain_score", new PainScoreV1(6), TestEvents.Metadata)]);
        var store = await CreateStoreAsync(options => options.Types
            .Upcast("pain_score", v1 => new PainRecorded(v1.RootElement.GetProperty("pain").GetInt32(), "unknown")));
        await store.AppendAsync(stream, "t", ExpectedVersion.Exactly(1), [TestEvents.Pain(4), new NewEvent(Guid.NewGuid(), TestEvents.ProbeRecordedName, new ProbeRecorded(9), new EventMetadata(Actor: "probe", Caller: "svc-a"))]);
        await store.AppendAsync(stream, "t", ExpectedVersion.Exactly(3), TestEvents.Pains(8));

        var read = await store.ReadStreamAsync(stream);
        await using var session = await store.OpenSessionAsync();
        var fetched = await session.FetchForWritingAsync<Replay>(stream);

        Assert.Equal(4, fetched.Version);
        Assert.Equal(read, fetched.State!.Events);
        Assert.Equal(read.Aggregate((Replay?)null, Replay.Evolve)!.Events, fetched.State.Events);
        Assert.Equal(new PainRecorded(6, "unknown"), fetched.State.Events[0].Data<PainRecorded>());
        Assert.Equal("pain_score", fetched.State.Events[0].EventType);
        Assert.Equal("svc-a", fetched.State.Events[2].Metadata.Caller);
        // Live: the aggregate is built at each fetch and stored nowhere (Marten's one table of documents is its dead letters').
        Assert.Equal(0L, await db.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = '{schema}' AND table_name LIKE 'mt_doc%' AND table_name <> 'mt_doc_deadletterevent'"));
    }

    [Fact]
    public async Task A_missing_stream_is_fetched_as_no_state_at_version_zero_and_can_be_started()
    {
        var store = await CreateStoreAsync();
        var stream = $"fetch-new-{Guid.NewGuid()}";

        await using (var session = await store.OpenSessionAsync())
        {
            var fetched = await session.FetchForWritingAsync<Replay>(stream);
            Assert.Null(fetched.State);
            Assert.Equal(0, fetched.Version);
            Assert.Equal(1, (await session.AppendAsync(stream, "t", ExpectedVersion.NoStream, TestEvents.Pains(2))).NewVersion);
            await session.CommitAsync();
        }

        Assert.Single(await store.ReadStreamAsync(stream));
    }

    [Fact]
    public async Task An_append_after_another_writer_moved_the_stream_is_a_concurrency_error_and_writes_nothing()
    {
        var store = await CreateStoreAsync();
        var stream = $"fetch-moved-{Guid.NewGuid()}";
        await store.AppendAsync(stream, "t", ExpectedVersion.NoStream, TestEvents.Pains(1, 2));

        await using var session = await store.OpenSessionAsync();
        var fetched = await session.FetchForWritingAsync<Replay>(stream);
        Assert.Equal(2, fetched.Version);
        // Another writer, at the version this session read, commits first.
        await store.AppendAsync(stream, "t", ExpectedVersion.Exactly(2), TestEvents.Pains(3));

        await Assert.ThrowsAsync<ConcurrencyException>(() => session.AppendAsync(stream, "t", ExpectedVersion.Exactly(fetched.Version), TestEvents.Pains(99)));
        await Assert.ThrowsAsync<InvalidOperationException>(() => session.CommitAsync());

        Assert.Equal([1, 2, 3], (await store.ReadStreamAsync(stream)).Select(e => e.Data<PainRecorded>().Score));
    }

    [Fact]
    public async Task An_append_at_a_version_other_than_the_fetched_one_is_refused_before_saving()
    {
        var store = await CreateStoreAsync();
        var stream = $"fetch-other-{Guid.NewGuid()}";
        await store.AppendAsync(stream, "t", ExpectedVersion.NoStream, TestEvents.Pains(1, 2));

        await using (var session = await store.OpenSessionAsync())
        {
            await session.FetchForWritingAsync<Replay>(stream);
            var refused = await Assert.ThrowsAsync<ConcurrencyException>(() => session.AppendAsync(stream, "t", ExpectedVersion.Exactly(1), TestEvents.Pains(3)));
            Assert.Equal(ExpectedVersion.Exactly(1), refused.Expected);
        }

        await using (var session = await store.OpenSessionAsync())
        {
            await session.FetchForWritingAsync<Replay>(stream);
            // Whatever the version would store a decision made on a state that may be gone.
            await Assert.ThrowsAsync<ArgumentException>(() => session.AppendAsync(stream, "t", ExpectedVersion.Any, TestEvents.Pains(3)));
        }

        Assert.Equal(2, (await store.ReadStreamAsync(stream)).Count);
    }

    [Fact]
    public async Task Writers_that_fetched_the_same_version_race_and_exactly_one_wins_each_round()
    {
        var store = await CreateStoreAsync();
        var stream = $"fetch-race-{Guid.NewGuid()}";
        await store.AppendAsync(stream, "t", ExpectedVersion.NoStream, TestEvents.Pains(0));

        for (var round = 1; round <= 5; round++)
        {
            // Every writer has read the stream before any appends: each decided on the same state.
            var sessions = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => store.OpenSessionAsync()));
            try
            {
                var fetched = await Task.WhenAll(sessions.Select(s => s.FetchForWritingAsync<Replay>(stream)));
                Assert.All(fetched, f => Assert.Equal(round, f.Version));
                var attempts = sessions.Select((session, i) => Task.Run(async () =>
                {
                    try
                    {
                        await session.AppendAsync(stream, "t", ExpectedVersion.Exactly(fetched[i].Version), TestEvents.Pains(round));
                        await session.CommitAsync();
                        return true;
                    }
                    catch (ConcurrencyException)
                    {
                        return false;
                    }
                })).ToArray();

                Assert.Equal(1, (await Task.WhenAll(attempts)).Count(won => won));
            }
            finally
            {
                foreach (var session in sessions)
                {
                    await session.DisposeAsync();
                }
            }
        }

        var events = await store.ReadStreamAsync(stream);
        Assert.Equal(Enumerable.Range(1, 6).Select(v => (long)v), events.Select(e => e.StreamVersion));
        var report = await new IntegrityVerifier(db.DataSource, db.Schema).VerifyAsync(stream);
        Assert.True(report.Intact, string.Join("; ", report.Breaks));
    }

    [Fact]
    public async Task An_append_on_a_fetched_stream_keeps_our_metadata_time_and_hash_chain()
    {
        var store = await CreateStoreAsync();
        var stream = $"fetch-meta-{Guid.NewGuid()}";
        await store.AppendAsync(stream, "t", ExpectedVersion.NoStream, TestEvents.Pains(1));

        AppendResult appended;
        await using (var session = await store.OpenSessionAsync())
        {
            var fetched = await session.FetchForWritingAsync<Replay>(stream);
            appended = await session.AppendAsync(stream, "t", ExpectedVersion.Exactly(fetched.Version), TestEvents.Pains(5));
            // The handle is spent with the save: a second append in the session names its version as any other.
            await session.AppendAsync(stream, "t", ExpectedVersion.Exactly(appended.NewVersion), TestEvents.Pains(6));
            await session.CommitAsync();
        }

        var events = await store.ReadStreamAsync(stream);
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.StreamVersion));
        Assert.Equal(2, appended.NewVersion);
        Assert.Equal(appended.Positions[0], events[1].GlobalPosition);
        Assert.Equal(appended.RecordedAt, events[1].RecordedAt);
        Assert.Equal(TestEvents.Metadata, events[1].Metadata);
        var report = await new IntegrityVerifier(db.DataSource, db.Schema).VerifyAsync(stream);
        Assert.True(report.Intact, string.Join("; ", report.Breaks));
    }

    private Task<MartenEventStore> CreateStoreAsync(Action<EventStoreOptions>? configure = null) =>
        db.CreateStoreAsync(options =>
        {
            configure?.Invoke(options);
            options.Aggregate<Replay>(Replay.Evolve);
        });

    /// <summary>A fold that keeps every event it is given, so the state shows exactly what the fold was handed.</summary>
    public sealed class Replay
    {
        public List<StoredEvent> Events { get; } = [];

        public static Replay? Evolve(Replay? state, StoredEvent stored)
        {
            state ??= new Replay();
            state.Events.Add(stored);
            return state;
        }
    }

    public sealed record PainScoreV1(int Pain);
}
