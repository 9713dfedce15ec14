using Google.Protobuf;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Grpc.Client;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Contracts.Clients;

/// <summary>Typed client of spasm.assessment.v1.AssessmentService over our gRPC layer.</summary>
public sealed class AssessmentClient : ClientBase
{
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor Service = AssessmentReflection.Descriptor.Services[0];

    private static readonly Method<SubmitAssessmentRequest, SubmitAssessmentResponse> SubmitAssessmentMethod = Unary<SubmitAssessmentRequest, SubmitAssessmentResponse>("SubmitAssessment");
    private static readonly Method<GetAssessmentRequest, Assessment.V1.Assessment> GetAssessmentMethod = Unary<GetAssessmentRequest, Assessment.V1.Assessment>("GetAssessment");
    private static readonly Method<ListAssessmentsRequest, ListAssessmentsResponse> ListAssessmentsMethod = Unary<ListAssessmentsRequest, ListAssessmentsResponse>("ListAssessments");
    private static readonly Method<OverrideTriageRequest, Assessment.V1.Assessment> OverrideTriageMethod = Unary<OverrideTriageRequest, Assessment.V1.Assessment>("OverrideTriage");
    private static readonly Method<EraseClinicalNotesRequest, EraseClinicalNotesResponse> EraseClinicalNotesMethod = Unary<EraseClinicalNotesRequest, EraseClinicalNotesResponse>("EraseClinicalNotes");

    public AssessmentClient(GrpcChannel channel)
        : base(channel)
    {
    }

    public AssessmentClient(CallInvoker callInvoker)
        : base(callInvoker)
    {
    }

    public AsyncUnaryCall<SubmitAssessmentResponse> SubmitAssessmentAsync(SubmitAssessmentRequest request, CallOptions options = default) => Call(SubmitAssessmentMethod, request, options);

    public AsyncUnaryCall<Assessment.V1.Assessment> GetAssessmentAsync(GetAssessmentRequest request, CallOptions options = default) => Call(GetAssessmentMethod, request, options);

    public AsyncUnaryCall<ListAssessmentsResponse> ListAssessmentsAsync(ListAssessmentsRequest request, CallOptions options = default) => Call(ListAssessmentsMethod, request, options);

    public AsyncUnaryCall<Assessment.V1.Assessment> OverrideTriageAsync(OverrideTriageRequest request, CallOptions options = default) => Call(OverrideTriageMethod, request, options);

    public AsyncUnaryCall<EraseClinicalNotesResponse> EraseClinicalNotesAsync(EraseClinicalNotesRequest request, CallOptions options = default) => Call(EraseClinicalNotesMethod, request, options);

    private AsyncUnaryCall<TResponse> Call<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new() =>
        CallInvoker.AsyncUnaryCall(method, null, options, request);

    private static Method<TRequest, TResponse> Unary<TRequest, TResponse>(string name)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new() =>
        Method<TRequest, TResponse>.FromDescriptor(Service.FindMethodByName(name));
}
