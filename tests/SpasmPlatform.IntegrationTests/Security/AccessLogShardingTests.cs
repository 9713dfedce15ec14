using Google.Protobuf.WellKnownTypes;
using SpasmPlatform.Audit;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Integrity;
using SpasmPlatform.IntegrationTests.EventStore;
using SpasmPlatform.ServiceDefaults.Security;

namespace SpasmPlatform.IntegrationTests.Security;

/// <summary>
/// The access log spread over a day's shard streams loses nothing: records written concurrently are all listed once,
/// in the order they were stored, across pages, and every shard keeps an intact hash chain.
/// </summary>
public sealed class AccessLogShardingTests(EventStoreDatabase db) : IClassFixture<EventStoreDatabase>
{
    private static readonly DateTimeOffset Day = new(2026, 11, 21, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Concurrent_records_land_on_every_shard_and_are_listed_once_in_stored_order_across_pages()
    {
        EventStoreOptions? options = null;
        var store = await db.CreateStoreAsync(o =>
        {
            o.Types.Register<AccessRecorded>(AccessLog.EventType);
            options = o;
        });
        var log = new AccessLog(store, options!);
        const int Count = 200;

        await Task.WhenAll(Enumerable.Range(0, Count).Select(i => Task.Run(() => log.RecordAsync(Record(i), $"corr-{i}"))));

        var query = new AccessLogQuery(log, TimeProvider.System);
        var listed = new List<AccessEvent>();
        var request = new ListAccessEventsRequest { From = Timestamp.FromDateTimeOffset(Day), To = Timestamp.FromDateTimeOffset(Day.AddDays(1)), PageSize = 7 };
        var validators = new AuditRequestValidators();
        do
        {
            Assert.Empty(validators.Validate(request));
            var page = await query.ListAsync(request, CancellationToken.None);
            Assert.True(page.Events.Count <= 7);
            listed.AddRange(page.Events);
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0 && listed.Count < 14);

        // A token is bound to the period and filters it was issued for; the page size may change.
        var narrowed = request.Clone();
        narrowed.ClinicId = "clinic-a";
        var longer = request.Clone();
        longer.To = Timestamp.FromDateTimeOffset(Day.AddDays(2));
        Assert.Equal("page_token", Assert.Single(validators.Validate(narrowed)).Field);
        Assert.Equal("page_token", Assert.Single(validators.Validate(longer)).Field);
        request.PageSize = 9;
        do
        {
            Assert.Empty(validators.Validate(request));
            var page = await query.ListAsync(request, CancellationToken.None);
            Assert.True(page.Events.Count <= 9);
            listed.AddRange(page.Events);
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);

        Assert.Equal(Count, listed.Count);
        Assert.Equal(Enumerable.Range(0, Count).Select(i => $"m{i}").Order(), listed.Select(e => e.Method).Order());
        Assert.Equal(AccessLog.Shards, listed.Select(e => e.StreamId).Distinct().Count());
        Assert.All(listed, e => Assert.True(AccessLog.TryParseDay(e.StreamId, out var day) && day == DateOnly.FromDateTime(Day.UtcDateTime)));
        // Each shard's versions run 1..n: nothing lost or doubled within a stream.
        foreach (var shard in listed.GroupBy(e => e.StreamId))
        {
            Assert.Equal(Enumerable.Range(1, shard.Count()).Select(v => (long)v), shard.Select(e => e.Version).Order());
        }

        // Stored order: the global positions behind the pages rise, so paging neither skips nor repeats.
        var positions = (await log.ReadDayAsync(DateOnly.FromDateTime(Day.UtcDateTime), 0, Count + 1, CancellationToken.None)).Select(e => e.Position).ToList();
        Assert.Equal(positions.Order(), positions);
        Assert.Equal(Count, positions.Distinct().Count());
        var report = await new IntegrityVerifier(db.DataSource, db.Schema).VerifyAsync();
        Assert.True(report.Intact, string.Join("; ", report.Breaks));
    }

    [Theory]
    [InlineData("access-20261121-00", true)]
    [InlineData("access-20261121-15", true)]
    [InlineData("access-20261121-16", false)]
    [InlineData("access-20261121", false)]
    [InlineData("access-2026112-001", false)]
    [InlineData("assessment-20261121-00", false)]
    public void Only_shard_streams_of_a_day_are_access_log_streams(string streamId, bool isAccessLog) =>
        Assert.Equal(isAccessLog, AccessLog.TryParseDay(streamId, out _));

    private static AccessRecorded Record(int i) =>
        new(Day.AddSeconds(i), "clinic-system:clinic-a/ehr-1", ["clinic-system"], "clinic-a", $"m{i}", "OK", null,
            new Dictionary<string, IReadOnlyList<string>> { ["assessment_id"] = [$"a-{i}"] }, "127.0.0.1", null);
}
