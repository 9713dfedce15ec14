using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>
/// A stored event id is only a retry where the stream moved past the version the append expected, or it expected
/// "any"; elsewhere the unique event id in event_chain refuses it. Both paths must end in
/// <see cref="EventIdConflictException"/> with nothing written, and retries must still be reported.
/// </summary>
public sealed class EventIdConflictTests(EventStoreDatabase db) : IClassFixture<EventStoreDatabase>
{
    [Fact]
    public async Task A_reused_id_appended_to_another_stream_at_its_exact_version_is_refused_and_stores_nothing()
    {
        var store = await db.CreateStoreAsync();
        var owner = $"owner-{Guid.NewGuid()}";
        var other = $"other-{Guid.NewGuid()}";
        var reused = TestEvents.Pain(1);
        await store.AppendAsync(owner, "t", ExpectedVersion.NoStream, [reused]);
        await store.AppendAsync(other, "t", ExpectedVersion.NoStream, TestEvents.Pains(2));

        await Assert.ThrowsAsync<EventIdConflictException>(
            () => store.AppendAsync(other, "t", ExpectedVersion.Exactly(1), [TestEvents.Pain(3), reused]));

        Assert.Equal([2], (await store.ReadStreamAsync(other)).Select(e => e.Data<PainRecorded>().Score));
        Assert.Equal(1, (await store.GetStreamAsync(other))!.Version);
        Assert.Single(await store.ReadStreamAsync(owner));
    }

    [Fact]
    public async Task A_reused_id_creating_a_new_stream_is_refused_and_the_stream_is_not_created()
    {
        var store = await db.CreateStoreAsync();
        var owner = $"owner-{Guid.NewGuid()}";
        var fresh = $"fresh-{Guid.NewGuid()}";
        var reused = TestEvents.Pain(1);
        await store.AppendAsync(owner, "t", ExpectedVersion.NoStream, [reused]);

        await Assert.ThrowsAsync<EventIdConflictException>(() => store.AppendAsync(fresh, "t", ExpectedVersion.NoStream, [reused]));
        await Assert.ThrowsAsync<EventIdConflictException>(() => store.AppendAsync(fresh, "t", ExpectedVersion.Exactly(0), [reused]));

        Assert.Null(await store.GetStreamAsync(fresh));
        Assert.Empty(await store.ReadStreamAsync(fresh));
    }

    [Fact]
    public async Task A_reused_id_appended_to_its_own_stream_at_the_exact_version_is_refused_and_stores_nothing()
    {
        var store = await db.CreateStoreAsync();
        var stream = $"own-{Guid.NewGuid()}";
        var reused = TestEvents.Pain(1);
        await store.AppendAsync(stream, "t", ExpectedVersion.NoStream, [reused, TestEvents.Pain(2)]);

        await Assert.ThrowsAsync<EventIdConflictException>(() => store.AppendAsync(stream, "t", ExpectedVersion.Exactly(2), [reused]));
        await Assert.ThrowsAsync<EventIdConflictException>(
            () => store.AppendAsync(stream, "t", ExpectedVersion.Exactly(2), [TestEvents.Pain(3), reused]));

        Assert.Equal([1, 2], (await store.ReadStreamAsync(stream)).Select(e => e.Data<PainRecorded>().Score));
        Assert.Equal(2, (await store.GetStreamAsync(stream))!.Version);
    }

    [Fact]
    public async Task The_same_id_twice_in_one_append_is_refused()
    {
        var store = await db.CreateStoreAsync();
        var stream = $"twice-{Guid.NewGuid()}";
        var once = TestEvents.Pain(1);

        await Assert.ThrowsAsync<EventIdConflictException>(() => store.AppendAsync(stream, "t", ExpectedVersion.NoStream, [once, once]));

        Assert.Null(await store.GetStreamAsync(stream));
    }

    [Fact]
    public async Task A_conflict_leaves_the_session_unusable_and_its_transaction_rolled_back()
    {
        var store = await db.CreateStoreAsync();
        var stream = $"session-{Guid.NewGuid()}";
        var reused = TestEvents.Pain(1);
        await store.AppendAsync(stream, "t", ExpectedVersion.NoStream, [reused]);

        await using (var session = await store.OpenSessionAsync())
        {
            await session.AppendAsync($"before-{stream}", "t", ExpectedVersion.NoStream, TestEvents.Pains(5));
            await Assert.ThrowsAsync<EventIdConflictException>(() => session.AppendAsync(stream, "t", ExpectedVersion.Exactly(1), [reused]));
            await Assert.ThrowsAsync<InvalidOperationException>(() => session.CommitAsync());
        }

        Assert.Null(await store.GetStreamAsync($"before-{stream}"));
        Assert.Single(await store.ReadStreamAsync(stream));
    }

    [Fact]
    public async Task Retries_of_committed_appends_report_duplicate_whatever_the_expected_version()
    {
        var store = await db.CreateStoreAsync();
        var stream = $"retry-{Guid.NewGuid()}";
        var created = TestEvents.Pains(1, 2);
        var exact = TestEvents.Pains(3);
        var any = TestEvents.Pains(4, 5);

        var first = await store.AppendAsync(stream, "t", ExpectedVersion.NoStream, created);
        var second = await store.AppendAsync(stream, "t", ExpectedVersion.Exactly(2), exact);
        var third = await store.AppendAsync(stream, "t", ExpectedVersion.Any, any);
        // Another writer moved the stream on before the retries arrive.
        await store.AppendAsync(stream, "t", ExpectedVersion.Exactly(5), TestEvents.Pains(6));

        var retries = new[]
        {
            (first, await store.AppendAsync(stream, "t", ExpectedVersion.NoStream, created)),
            (first, await store.AppendAsync(stream, "t", ExpectedVersion.Exactly(0), created)),
            (second, await store.AppendAsync(stream, "t", ExpectedVersion.Exactly(2), exact)),
            (third, await store.AppendAsync(stream, "t", ExpectedVersion.Any, any)),
        };

        Assert.All(retries, pair =>
        {
            var (original, retry) = pair;
            Assert.False(original.Duplicate);
            Assert.True(retry.Duplicate);
            Assert.Equal(original.NewVersion, retry.NewVersion);
            Assert.Equal(original.Positions, retry.Positions);
            Assert.Equal(original.RecordedAt, retry.RecordedAt);
        });
        Assert.Equal(6, (await store.ReadStreamAsync(stream)).Count);
    }
}
