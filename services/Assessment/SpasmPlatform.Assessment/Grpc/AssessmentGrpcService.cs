using SpasmPlatform.Assessment.Infrastructure;
using SpasmPlatform.Assessment.V1;
using Grpc.Core;
using SpasmPlatform.ServiceDefaults.Grpc;
using SpasmPlatform.Privacy;
using SpasmPlatform.ServiceDefaults;
using AssessmentMessage = SpasmPlatform.Assessment.V1.Assessment;
using Status = Grpc.Core.Status;
using StatusCode = Grpc.Core.StatusCode;

namespace SpasmPlatform.Assessment.Grpc;

/// <summary>spasm.assessment.v1.AssessmentService. Requests are already validated (see AssessmentRequestValidators).</summary>
internal sealed class AssessmentGrpcService(
    AssessmentRepository repository,
    KnowledgeCatalog knowledge,
    NotesEraser eraser,
    AssessmentBootstrapper bootstrapper) : AssessmentService.AssessmentServiceBase
{

    public override Task<SubmitAssessmentResponse> SubmitAssessment(SubmitAssessmentRequest request, ServerCallContext context) => Guarded(async cancellationToken =>
    {
        // Read once: a version switch during this call must not split the decision across two versions.
        var current = knowledge.Current
            ?? throw new KnowledgeUnavailableException("No knowledge version is loaded yet; the service does not triage without its rules.");
        var outcome = await repository.SubmitAsync(request, current, CorrelationId(context), cancellationToken).ConfigureAwait(false);
        return new SubmitAssessmentResponse { Assessment = outcome.Assessment, Duplicate = outcome.Duplicate };
    }, context);

    public override Task<AssessmentMessage> GetAssessment(GetAssessmentRequest request, ServerCallContext context) => Guarded(async cancellationToken =>
        await repository.FindAsync(request.AssessmentId, cancellationToken).ConfigureAwait(false)
            ?? throw new AssessmentNotFoundException(request.AssessmentId), context);

    public override Task<ListAssessmentsResponse> ListAssessments(ListAssessmentsRequest request, ServerCallContext context) => Guarded(cancellationToken =>
    {
        // The validator has already refused tokens that do not read or were issued for another filter.
        PagePosition? after = PageToken.Read(request.PageToken, request, out var position) == PageTokenReading.Valid ? position : null;
        return repository.ListAsync(request, after, cancellationToken);
    }, context);

    public override Task<AssessmentMessage> OverrideTriage(OverrideTriageRequest request, ServerCallContext context) => Guarded(cancellationToken =>
        repository.OverrideAsync(request, knowledge.GetAsync, CorrelationId(context), cancellationToken), context);

    public override Task<EraseClinicalNotesResponse> EraseClinicalNotes(EraseClinicalNotesRequest request, ServerCallContext context) => Guarded(cancellationToken =>
        eraser.EraseAsync(request, CorrelationId(context), cancellationToken), context);

    private static string CorrelationId(ServerCallContext context) => CorrelationIds.For(context);

    private async Task<T> Guarded<T>(Func<CancellationToken, Task<T>> action, ServerCallContext context)
    {
        if (!bootstrapper.IsReady)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "The assessment service is starting (storage or knowledge not ready); retry shortly."));
        }

        try
        {
            return await action(context.CancellationToken).ConfigureAwait(false);
        }
        catch (AssessmentNotFoundException e)
        {
            throw new RpcException(new Status(StatusCode.NotFound, e.Message));
        }
        catch (PatientNotFoundException e)
        {
            throw new RpcException(new Status(StatusCode.NotFound, e.Message));
        }
        catch (NotesKeyMismatchException e)
        {
            // The configuration, not the request, is wrong: nothing a retry of this call can fix.
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }
        catch (KnowledgeUnavailableException e)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, e.Message));
        }
    }
}
