using SpasmPlatform.EventStore.Streams;
using SpasmPlatform.Grpc.Protocol;
using SpasmPlatform.ServiceDefaults.Grpc;

namespace SpasmPlatform.IntegrationTests.Hosts;

public sealed class StoreErrorMappingTests
{
    [Fact]
    public void Concurrency_conflict_is_aborted_and_names_the_stream()
    {
        var mapped = StoreErrorInterceptor.Map(new ConcurrencyException("assessment-42", ExpectedVersion.Exactly(3), "stream is at version 4"));

        Assert.NotNull(mapped);
        Assert.Equal(StatusCode.Aborted, mapped.StatusCode);
        Assert.Contains("assessment-42", mapped.Status.Detail);
        Assert.Contains("expected version 3", mapped.Status.Detail);
    }

    [Fact]
    public void Conflicting_event_ids_are_already_exists()
    {
        var mapped = StoreErrorInterceptor.Map(new EventIdConflictException("assessment-1", "partly stored"));

        Assert.Equal(StatusCode.AlreadyExists, mapped!.StatusCode);
    }

    [Fact]
    public void Other_exceptions_are_left_to_the_server_unknown_path() =>
        Assert.Null(StoreErrorInterceptor.Map(new InvalidOperationException("bug")));
}
