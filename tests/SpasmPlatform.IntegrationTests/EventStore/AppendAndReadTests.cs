using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.IntegrationTests.EventStore;

public sealed class AppendAndReadTests(EventStoreDatabase db) : IClassFixture<EventStoreDatabase>
{
    [Fact]
    public async Task Appended_events_read_back_in_order_with_their_metadata()
    {
        var store = await db.CreateStoreAsync();
        var stream = $"assessment-{Guid.NewGuid()}";

        var first = await store.AppendAsync(stream, "assessment", ExpectedVersion.NoStream, TestEvents.Pains(3, 5));
        var second = await store.AppendAsync(stream, "assessment", ExpectedVersion.Exactly(2), TestEvents.Pains(7));

        Assert.Equal(2, first.NewVersion);
        Assert.Equal(3, second.NewVersion);
        Assert.True(second.Positions[0] > first.Positions[1]);
        var events = await store.ReadStreamAsync(stream);
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.StreamVersion));
        Assert.Equal([3, 5, 7], events.Select(e => e.Data<PainRecorded>().Score));
        Assert.All(events, e => Assert.Equal("clinician-7", e.Metadata.Actor));
        Assert.Equal("test", events[0].Metadata.Headers!["source"]);
        Assert.Equal("clinic-1", events[0].Metadata.TenantId);
        Assert.Equal(3, (await store.GetStreamAsync(stream))!.Version);
        Assert.Equal([2L, 3L], (await store.ReadStreamAsync(stream, fromVersion: 2)).Select(e => e.StreamVersion));
    }

    [Fact]
    public async Task Wrong_expected_version_is_a_concurrency_error_and_writes_nothing()
    {
        var store = await db.CreateStoreAsync();
        var stream = $"s-{Guid.NewGuid()}";
        await store.AppendAsync(stream, "t", ExpectedVersion.NoStream, TestEvents.Pains(1));

        await Assert.ThrowsAsync<ConcurrencyException>(() => store.AppendAsync(stream, "t", ExpectedVersion.Exactly(5), TestEvents.Pains(2)));
        await Assert.ThrowsAsync<ConcurrencyException>(() => store.AppendAsync(stream, "t", ExpectedVersion.NoStream, TestEvents.Pains(2)));
        await Assert.ThrowsAsync<ConcurrencyException>(() => store.AppendAsync($"missing-{Guid.NewGuid()}", "t", ExpectedVersion.Exactly(3), TestEvents.Pains(2)));

        Assert.Single(await store.ReadStreamAsync(stream));
    }

    [Fact]
    public async Task Any_appends_whatever_the_version()
    {
        var store = await db.CreateStoreAsync();
        var stream = $"s-{Guid.NewGuid()}";

        await store.AppendAsync(stream, "t", ExpectedVersion.Any, TestEvents.Pains(1));
        var result = await store.AppendAsync(stream, "t", ExpectedVersion.Any, TestEvents.Pains(2, 3));

        Assert.Equal(3, result.NewVersion);
    }

    [Fact]
    public async Task Concurrent_appends_with_the_same_expected_version_have_exactly_one_winner()
    {
        var store = await db.CreateStoreAsync();
        var stream = $"race-{Guid.NewGuid()}";
        await store.AppendAsync(stream, "t", ExpectedVersion.NoStream, TestEvents.Pains(0));

        for (var round = 1; round <= 10; round++)
        {
            var expected = ExpectedVersion.Exactly(round);
            var attempts = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                try
                {
                    await store.AppendAsync(stream, "t", expected, TestEvents.Pains(round));
                    return true;
                }
                catch (ConcurrencyException)
                {
                    return false;
                }
            })).ToArray();

            Assert.Equal(1, (await Task.WhenAll(attempts)).Count(won => won));
        }

        var versions = (await store.ReadStreamAsync(stream)).Select(e => e.StreamVersion).ToList();
        Assert.Equal(Enumerable.Range(1, 11).Select(v => (long)v), versions);
    }

    [Fact]
    public async Task Concurrent_creators_of_a_new_stream_have_exactly_one_winner()
    {
        var store = await db.CreateStoreAsync();
        var stream = $"new-{Guid.NewGuid()}";

        var attempts = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            try
            {
                await store.AppendAsync(stream, "t", ExpectedVersion.NoStream, TestEvents.Pains(i));
                return true;
            }
            catch (ConcurrencyException)
            {
                return false;
            }
        })).ToArray();

        Assert.Equal(1, (await Task.WhenAll(attempts)).Count(won => won));
        Assert.Single(await store.ReadStreamAsync(stream));
    }

    [Fact]
    public async Task Re_appending_the_same_event_ids_stores_nothing_twice_and_reports_success()
    {
        var store = await db.CreateStoreAsync();
        var stream = $"retry-{Guid.NewGuid()}";
        var events = TestEvents.Pains(4, 6);

        var first = await store.AppendAsync(stream, "t", ExpectedVersion.NoStream, events);
        var retry = await store.AppendAsync(stream, "t", ExpectedVersion.NoStream, events);

        Assert.False(first.Duplicate);
        Assert.True(retry.Duplicate);
        Assert.Equal(first.NewVersion, retry.NewVersion);
        Assert.Equal(first.Positions, retry.Positions);
        Assert.Equal(2, (await store.ReadStreamAsync(stream)).Count);
    }

    [Fact]
    public async Task Partly_stored_event_ids_are_refused()
    {
        var store = await db.CreateStoreAsync();
        var stream = $"partial-{Guid.NewGuid()}";
        var stored = TestEvents.Pain(1);
        await store.AppendAsync(stream, "t", ExpectedVersion.NoStream, [stored]);

        await Assert.ThrowsAsync<EventIdConflictException>(() => store.AppendAsync(stream, "t", ExpectedVersion.Any, [stored, TestEvents.Pain(2)]));
        await Assert.ThrowsAsync<EventIdConflictException>(() => store.AppendAsync($"other-{Guid.NewGuid()}", "t", ExpectedVersion.Any, [stored]));
        Assert.Single(await store.ReadStreamAsync(stream));
    }

    [Fact]
    public async Task An_uncommitted_session_leaves_nothing_behind()
    {
        var store = await db.CreateStoreAsync();
        var stream = $"rollback-{Guid.NewGuid()}";

        await using (var session = await store.OpenSessionAsync())
        {
            await session.AppendAsync(stream, "t", ExpectedVersion.NoStream, TestEvents.Pains(1, 2));
            session.Publish(new OutboxMessage(Guid.NewGuid(), "test", "{}", stream));
        }

        Assert.Null(await store.GetStreamAsync(stream));
        Assert.Empty(await store.ReadStreamAsync(stream));
    }

    [Fact]
    public async Task Read_all_pages_through_every_stream_in_global_order()
    {
        var store = await db.CreateStoreAsync();
        var before = (await store.ReadAllAsync(0, int.MaxValue)).Count;
        for (var i = 0; i < 5; i++)
        {
            await store.AppendAsync($"all-{i}-{Guid.NewGuid()}", "t", ExpectedVersion.NoStream, TestEvents.Pains(i, i));
        }

        var all = new List<StoredEvent>();
        long after = 0;
        while (true)
        {
            var page = await store.ReadAllAsync(after, 3);
            if (page.Count == 0)
            {
                break;
            }

            all.AddRange(page);
            after = page[^1].GlobalPosition;
        }

        Assert.Equal(before + 10, all.Count);
        Assert.Equal(all.Select(e => e.GlobalPosition).Order(), all.Select(e => e.GlobalPosition));
    }

    [Fact]
    public async Task Schema_creation_is_idempotent_even_when_concurrent()
    {
        var store = await db.CreateStoreAsync();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => store.EnsureSchemaAsync()));
        await store.EnsureSchemaAsync();

        var result = await store.AppendAsync($"s-{Guid.NewGuid()}", "t", ExpectedVersion.NoStream, TestEvents.Pains(1));
        Assert.Equal(1, result.NewVersion);
    }
}
