using SpasmPlatform.EventStore.Streams;
using Grpc.Core;
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

    [Fact]
    public void A_handler_status_with_a_huge_message_is_cut_and_keeps_its_code_and_details()
    {
        var huge = RichErrors.Refused(Google.Rpc.Code.FailedPrecondition, "x", "SOME_REASON");
        var handlerError = new RpcException(new Status(StatusCode.FailedPrecondition, new string('q', 200_000)), huge.Trailers);

        var mapped = StoreErrorInterceptor.Map(handlerError);

        Assert.Equal(StatusCode.FailedPrecondition, mapped!.StatusCode);
        Assert.Equal(RichErrors.MaxText + 1, mapped.Status.Detail.Length);
        Assert.Equal("SOME_REASON", mapped.GetRpcStatus()!.GetDetail<Google.Rpc.ErrorInfo>()!.Reason);
        Assert.Null(StoreErrorInterceptor.Map(new RpcException(new Status(StatusCode.NotFound, "short"))));
    }
}
