using SpasmPlatform.ServiceDefaults.Security;
using Google.Rpc;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.Common.V1;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Streams;
using Grpc.Net.Client;
using Grpc.Core;
using SpasmPlatform.IntegrationTests.Assessment;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.Audit;

/// <summary>History streaming (long streams, deadlines, cancellation), time travel, and answers without the care-plan service.</summary>
public sealed class AuditHistoryTests(AuditHost host) : IClassFixture<AuditHost>
{
    private const int LongStreamLength = 20_000;

    // About 1 KiB per event: 20 MB in all, far beyond what HTTP/2 windows and socket buffers hold unread.
    private static readonly string Padding = new('p', 1000);

    [Fact]
    public async Task A_long_stream_is_streamed_whole_in_order_with_its_hash_links()
    {
        var streamId = await AppendLongStreamAsync();
        using var call = host.Audit.StreamHistory(new StreamHistoryRequest { StreamId = streamId });
        long expected = 0;
        var previousHash = string.Empty;
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            var current = call.ResponseStream.Current;
            Assert.Equal(++expected, current.Version);
            Assert.Equal(previousHash, current.PreviousHash);
            Assert.Equal(64, current.Hash.Length);
            previousHash = current.Hash;
        }

        Assert.Equal(LongStreamLength, expected);

        // From a version, with a limit.
        using var page = host.Audit.StreamHistory(new StreamHistoryRequest { StreamId = streamId, FromVersion = 501, Limit = 700 });
        var versions = await ReadAllAsync(page);
        Assert.Equal(Enumerable.Range(501, 700).Select(v => (long)v), versions.Select(e => e.Version));
    }

    [Fact]
    public async Task A_deadline_ends_a_long_history_with_DEADLINE_EXCEEDED()
    {
        var streamId = await AppendLongStreamAsync();
        using var call = host.Audit.StreamHistory(new StreamHistoryRequest { StreamId = streamId }, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(2)));
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        // The reader stops pulling, so the server is held by flow control well before the end of the stream when the
        // deadline passes; the call must end with the deadline, not hang and not complete.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var received = 1;
        var failure = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                received++;
            }
        });

        Assert.Equal(StatusCode.DeadlineExceeded, failure.StatusCode);
        Assert.True(received < LongStreamLength, $"all {received} events arrived");
        await AssertStillServesAsync(streamId);
    }

    [Fact]
    public async Task Cancelling_a_long_history_ends_it_with_CANCELLED()
    {
        var streamId = await AppendLongStreamAsync();
        using var cancellation = new CancellationTokenSource();
        using var call = host.Audit.StreamHistory(new StreamHistoryRequest { StreamId = streamId }, new CallOptions(cancellationToken: cancellation.Token));
        for (var i = 0; i < 10; i++)
        {
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        }

        await cancellation.CancelAsync();
        var failure = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        });

        Assert.Equal(StatusCode.Cancelled, failure.StatusCode);
        await AssertStillServesAsync(streamId);
    }

    [Fact]
    public async Task Every_stream_is_streamed_in_global_order_from_a_position()
    {
        var first = (await host.Client.SubmitAssessmentAsync(Submissions.LiftingStrain(Submissions.NewId("clinic"), "all-1"))).Assessment;
        await host.Client.SubmitAssessmentAsync(Submissions.CaudaEquina(Submissions.NewId("clinic"), "all-2"));
        using var own = host.Audit.StreamHistory(new StreamHistoryRequest { AssessmentId = first.AssessmentId });
        var start = (await ReadAllAsync(own))[0].GlobalPosition;

        using var call = host.Audit.StreamHistory(new StreamHistoryRequest { FromGlobalPosition = start, Limit = 4 });
        var events = await ReadAllAsync(call);

        Assert.Equal(4, events.Count);
        Assert.Equal(start, events[0].GlobalPosition);
        Assert.Equal(events.Select(e => e.GlobalPosition).Order(), events.Select(e => e.GlobalPosition));
        Assert.Equal(AssessmentIdOf(events[0]), first.AssessmentId);
        Assert.All(events, e => Assert.NotEmpty(e.Actor));
        Assert.All(events, e => Assert.NotEmpty(e.CorrelationId));
    }

    [Fact]
    public async Task History_requests_are_checked_and_unknown_streams_are_NOT_FOUND()
    {
        using var both = host.Audit.StreamHistory(new StreamHistoryRequest { StreamId = "x", AssessmentId = "y", FromGlobalPosition = 3, Limit = -1 });
        var invalid = await Assert.ThrowsAsync<RpcException>(() => ReadAllAsync(both));
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        var fields = invalid.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations.Select(v => v.Field).ToList();
        Assert.Equal(["stream_id", "from_global_position", "limit"], fields);

        using var unknown = host.Audit.StreamHistory(new StreamHistoryRequest { AssessmentId = Guid.NewGuid().ToString() });
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => ReadAllAsync(unknown))).StatusCode);

        var stateAt = await Assert.ThrowsAsync<RpcException>(() => host.Audit.GetStateAtAsync(new GetStateAtRequest { AssessmentId = "a" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, stateAt.StatusCode);
        Assert.Equal("version", Assert.Single(stateAt.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations).Field);
    }

    [Fact]
    public async Task GetStateAt_each_version_and_each_recording_time_equals_the_state_after_that_event()
    {
        var clinic = Submissions.NewId("clinic");
        var submitted = (await host.Client.SubmitAssessmentAsync(Submissions.LiftingStrain(clinic, "state-at"))).Assessment;
        var first = await host.Client.OverrideTriageAsync(new OverrideTriageRequest
        {
            AssessmentId = submitted.AssessmentId, ExpectedVersion = submitted.Version, Urgency = Urgency.SameDay, ClinicianId = "dr-1", Reason = "Worse on examination",
        });
        var second = await host.Client.OverrideTriageAsync(new OverrideTriageRequest
        {
            AssessmentId = submitted.AssessmentId, ExpectedVersion = first.Version, Urgency = Urgency.Routine, ClinicianId = "dr-2", Reason = "Settled by the afternoon",
        });
        var afterSubmission = submitted.Clone();
        afterSubmission.Triage = null;
        afterSubmission.Version = 1;
        var expected = new[] { afterSubmission, submitted, first, second };

        using var call = host.Audit.StreamHistory(new StreamHistoryRequest { AssessmentId = submitted.AssessmentId });
        var events = await ReadAllAsync(call);
        Assert.Equal(expected.Length, events.Count);
        for (var version = 1; version <= expected.Length; version++)
        {
            var byVersion = await host.Audit.GetStateAtAsync(new GetStateAtRequest { AssessmentId = submitted.AssessmentId, Version = version });
            Assert.Equal(expected[version - 1], byVersion);

            var byTime = await host.Audit.GetStateAtAsync(new GetStateAtRequest { AssessmentId = submitted.AssessmentId, Timestamp = events[version - 1].RecordedAt });
            // Events appended together share their recording time: a moment shows all of them.
            var lastAtThatTime = events.FindLastIndex(e => e.RecordedAt.Equals(events[version - 1].RecordedAt));
            Assert.Equal(expected[lastAtThatTime], byTime);
        }

        var beyond = await Assert.ThrowsAsync<RpcException>(() => host.Audit.GetStateAtAsync(new GetStateAtRequest { AssessmentId = submitted.AssessmentId, Version = 5 }).ResponseAsync);
        Assert.Equal(StatusCode.OutOfRange, beyond.StatusCode);
        var before = await Assert.ThrowsAsync<RpcException>(() => host.Audit.GetStateAtAsync(new GetStateAtRequest
        {
            AssessmentId = submitted.AssessmentId, Timestamp = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(submitted.SubmittedAt.ToDateTimeOffset().AddMinutes(-1)),
        }).ResponseAsync);
        Assert.Equal(StatusCode.OutOfRange, before.StatusCode);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => host.Audit.GetStateAtAsync(new GetStateAtRequest { AssessmentId = Guid.NewGuid().ToString(), Version = 1 }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task A_trace_without_the_care_plan_service_says_so_instead_of_failing()
    {
        var assessment = (await host.Client.SubmitAssessmentAsync(Submissions.CaudaEquina(Submissions.NewId("clinic"), "no-care-plan"))).Assessment;

        var trace = await host.Audit.GetDecisionTraceAsync(new GetDecisionTraceRequest { AssessmentId = assessment.AssessmentId });

        Assert.Equal(assessment.Triage, trace.Triage);
        Assert.Equal(CarePlanLookup.Unavailable, trace.CarePlanLookup);
        Assert.Contains(AuditHost.UnreachableCarePlan, trace.CarePlanLookupDetail, StringComparison.Ordinal);
        Assert.Null(trace.CarePlan);
        Assert.Equal(2, trace.Events.Count);

        var missing = await Assert.ThrowsAsync<RpcException>(() => host.Audit.GetDecisionTraceAsync(new GetDecisionTraceRequest { AssessmentId = Guid.NewGuid().ToString() }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    private static string AssessmentIdOf(HistoryEvent stored) => stored.StreamId["assessment-".Length..];

    private static async Task<List<HistoryEvent>> ReadAllAsync(AsyncServerStreamingCall<HistoryEvent> call)
    {
        var events = new List<HistoryEvent>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            events.Add(call.ResponseStream.Current);
        }

        return events;
    }

    /// <summary>A stream far longer than any window or page, appended straight into the service's store.</summary>
    private async Task<string> AppendLongStreamAsync()
    {
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(Platform.Postgres);
        var options = new EventStoreOptions { Schema = host.Schema };
        // A type every service knows, so the service under test reads the stream as it would its own.
        options.Types.Register<AccessRecorded>(AccessLog.EventType);
        var store = new MartenEventStore(dataSource, options);
        var streamId = $"audit-long-{Guid.NewGuid():N}";
        var metadata = new EventMetadata(CorrelationId: "audit-long", Actor: "audit-test");
        for (var batch = 0; batch < LongStreamLength / 1000; batch++)
        {
            var events = Enumerable.Range(batch * 1000, 1000)
                .Select(i => new NewEvent(Guid.NewGuid(), AccessLog.EventType, Padded(i), metadata))
                .ToList();
            await store.AppendAsync(streamId, "audit_padding", batch == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exactly(batch * 1000), events);
        }

        return streamId;
    }

    private static AccessRecorded Padded(int n) =>
        new(DateTimeOffset.UnixEpoch.AddSeconds(n), "audit-test", [], null, "padding", "ok", Padding, new Dictionary<string, IReadOnlyList<string>>(), "test", null);

    private async Task AssertStillServesAsync(string streamId)
    {
        using var call = host.Audit.StreamHistory(new StreamHistoryRequest { StreamId = streamId, Limit = 3 });
        Assert.Equal(3, (await ReadAllAsync(call)).Count);
    }
}
