using SpasmPlatform.Contracts.Calling;
using SpasmPlatform.Assessment.Domain;
using SpasmPlatform.Assessment.Infrastructure;
using SpasmPlatform.Assessment.V1;
using Grpc.Core;
using SpasmPlatform.ServiceDefaults;
using SpasmPlatform.ServiceDefaults.Grpc;

namespace SpasmPlatform.Assessment.Grpc;

/// <summary>
/// spasm.assessment.v1.AssessmentService. Requests are already validated (see AssessmentRequestValidators); a call
/// before start-up is done never gets here, and the exceptions below become statuses through the service's error map
/// (see Extensions.cs).
/// </summary>
internal sealed class AssessmentGrpcService(
    AssessmentRepository repository,
    KnowledgeCatalog knowledge,
    NotesEraser eraser) : AssessmentService.AssessmentServiceBase
{
    public override async Task<SubmitAssessmentResponse> SubmitAssessment(SubmitAssessmentRequest request, ServerCallContext context)
    {
        // Read once: a version switch during this call must not split the decision across two versions.
        var current = knowledge.Current
            ?? throw new KnowledgeUnavailableException("No knowledge version is loaded yet; the service does not triage without its rules.");
        var outcome = await repository.SubmitAsync(request, current, CorrelationIds.For(context), context.CancellationToken);
        return new SubmitAssessmentResponse { Assessment = outcome.Assessment, Duplicate = outcome.Duplicate };
    }

    public override async Task<AssessmentMessage> GetAssessment(GetAssessmentRequest request, ServerCallContext context) =>
        await repository.FindAsync(request.AssessmentId, context.CancellationToken)
            ?? throw new AssessmentNotFoundException(request.AssessmentId);

    public override Task<ListAssessmentsResponse> ListAssessments(ListAssessmentsRequest request, ServerCallContext context)
    {
        // The validator has already refused tokens that do not read or were issued for another filter.
        PagePosition? after = PageToken.Read(request.PageToken, request, out var position) == PageTokenReading.Valid ? position : null;
        return repository.ListAsync(request, after, context.CancellationToken);
    }

    public override Task<AssessmentMessage> OverrideTriage(OverrideTriageRequest request, ServerCallContext context) =>
        repository.OverrideAsync(request, knowledge.GetAsync, CorrelationIds.For(context), context.CancellationToken);

    public override Task<EraseClinicalNotesResponse> EraseClinicalNotes(EraseClinicalNotesRequest request, ServerCallContext context) =>
        eraser.EraseAsync(request, CorrelationIds.For(context), context.CancellationToken);
}
