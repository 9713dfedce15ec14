using SpasmPlatform.Contracts.Calling;
using SpasmPlatform.EventStore.Streams;
using Grpc.Core;
using SpasmPlatform.ServiceDefaults.Grpc;

namespace SpasmPlatform.IntegrationTests.Hosts;

public sealed class GrpcErrorMapTests
{
    private sealed class ClinicMissingException(string message) : Exception(message);

    private sealed class ClinicArchivedException(string message) : InvalidOperationException(message);

    [Fact]
    public void Concurrency_conflict_is_aborted_and_names_the_stream()
    {
        var mapped = new GrpcErrorMap().Translate(new ConcurrencyException("assessment-42", ExpectedVersion.Exactly(3), "stream is at version 4"));

        Assert.NotNull(mapped);
        Assert.Equal(StatusCode.Aborted, mapped.StatusCode);
        Assert.Contains("assessment-42", mapped.Status.Detail);
        Assert.Contains("expected version 3", mapped.Status.Detail);
    }

    [Fact]
    public void Conflicting_event_ids_are_already_exists_and_missing_knowledge_unavailable()
    {
        var map = new GrpcErrorMap();

        Assert.Equal(StatusCode.AlreadyExists, map.Translate(new EventIdConflictException("assessment-1", "partly stored"))!.StatusCode);
        Assert.Equal(StatusCode.Unavailable, map.Translate(new KnowledgeUnavailableException("no version"))!.StatusCode);
    }

    [Fact]
    public void Other_exceptions_are_left_to_the_server_unknown_path() =>
        Assert.Null(new GrpcErrorMap().Translate(new InvalidOperationException("bug")));

    [Fact]
    public void A_service_entry_maps_its_exception_and_those_derived_from_it_with_the_message()
    {
        var map = new GrpcErrorMap()
            .Map<ClinicMissingException>(StatusCode.NotFound)
            .Map<InvalidOperationException>(StatusCode.FailedPrecondition);

        var missing = map.Translate(new ClinicMissingException("Clinic 'c-9' does not exist."));
        var archived = map.Translate(new ClinicArchivedException("Clinic 'c-1' is archived."));

        Assert.Equal(StatusCode.NotFound, missing!.StatusCode);
        Assert.Equal("Clinic 'c-9' does not exist.", missing.Status.Detail);
        Assert.Equal(StatusCode.FailedPrecondition, archived!.StatusCode);
    }

    [Fact]
    public void The_first_matching_entry_wins()
    {
        var map = new GrpcErrorMap()
            .Map<ClinicArchivedException>(StatusCode.NotFound)
            .Map<InvalidOperationException>(StatusCode.FailedPrecondition);

        Assert.Equal(StatusCode.NotFound, map.Translate(new ClinicArchivedException("archived"))!.StatusCode);
        Assert.Equal(StatusCode.FailedPrecondition, map.Translate(new InvalidOperationException("other"))!.StatusCode);
    }

    [Fact]
    public void A_mapped_message_that_quotes_a_huge_request_is_cut()
    {
        var map = new GrpcErrorMap().Map<ClinicMissingException>(StatusCode.NotFound);

        var mapped = map.Translate(new ClinicMissingException(new string('q', 200_000)));

        Assert.Equal(StatusCode.NotFound, mapped!.StatusCode);
        Assert.Equal(RichErrors.MaxText + 1, mapped.Status.Detail.Length);
    }

    [Fact]
    public void A_handler_status_with_a_huge_message_is_cut_and_keeps_its_code_and_details()
    {
        var huge = RichErrors.Refused(Google.Rpc.Code.FailedPrecondition, "x", "SOME_REASON");
        var handlerError = new RpcException(new Status(StatusCode.FailedPrecondition, new string('q', 200_000)), huge.Trailers);

        var mapped = new GrpcErrorMap().Translate(handlerError);

        Assert.Equal(StatusCode.FailedPrecondition, mapped!.StatusCode);
        Assert.Equal(RichErrors.MaxText + 1, mapped.Status.Detail.Length);
        Assert.Equal("SOME_REASON", mapped.GetRpcStatus()!.GetDetail<Google.Rpc.ErrorInfo>()!.Reason);
        Assert.Null(new GrpcErrorMap().Translate(new RpcException(new Status(StatusCode.NotFound, "short"))));
    }
}
