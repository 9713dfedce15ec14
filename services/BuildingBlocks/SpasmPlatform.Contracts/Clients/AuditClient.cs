using Google.Protobuf;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.Grpc.Client;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Contracts.Clients;

/// <summary>
/// Typed client of spasm.audit.v1.AuditService over our gRPC layer. The same service is served by the assessment
/// and the care-plan service, each over its own store: the channel's address decides which one answers.
/// </summary>
public sealed class AuditClient : ClientBase
{
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor Service = AuditReflection.Descriptor.Services[0];

    private static readonly Method<GetDecisionTraceRequest, DecisionTrace> GetDecisionTraceMethod = For<GetDecisionTraceRequest, DecisionTrace>("GetDecisionTrace");
    private static readonly Method<StreamHistoryRequest, HistoryEvent> StreamHistoryMethod = For<StreamHistoryRequest, HistoryEvent>("StreamHistory");
    private static readonly Method<ReplayDecisionRequest, ReplayDecisionResponse> ReplayDecisionMethod = For<ReplayDecisionRequest, ReplayDecisionResponse>("ReplayDecision");
    private static readonly Method<VerifyIntegrityRequest, VerifyIntegrityResponse> VerifyIntegrityMethod = For<VerifyIntegrityRequest, VerifyIntegrityResponse>("VerifyIntegrity");
    private static readonly Method<GetStateAtRequest, Assessment.V1.Assessment> GetStateAtMethod = For<GetStateAtRequest, Assessment.V1.Assessment>("GetStateAt");
    private static readonly Method<ListAccessEventsRequest, ListAccessEventsResponse> ListAccessEventsMethod = For<ListAccessEventsRequest, ListAccessEventsResponse>("ListAccessEvents");

    public AuditClient(GrpcChannel channel)
        : base(channel)
    {
    }

    public AuditClient(CallInvoker callInvoker)
        : base(callInvoker)
    {
    }

    public AsyncUnaryCall<DecisionTrace> GetDecisionTraceAsync(GetDecisionTraceRequest request, CallOptions options = default) =>
        CallInvoker.AsyncUnaryCall(GetDecisionTraceMethod, null, options, request);

    /// <summary>Events as the server reads them, page by page; dispose the call (or cancel) to stop early.</summary>
    public AsyncServerStreamingCall<HistoryEvent> StreamHistory(StreamHistoryRequest request, CallOptions options = default) =>
        CallInvoker.AsyncServerStreamingCall(StreamHistoryMethod, null, options, request);

    public AsyncUnaryCall<ReplayDecisionResponse> ReplayDecisionAsync(ReplayDecisionRequest request, CallOptions options = default) =>
        CallInvoker.AsyncUnaryCall(ReplayDecisionMethod, null, options, request);

    public AsyncUnaryCall<VerifyIntegrityResponse> VerifyIntegrityAsync(VerifyIntegrityRequest request, CallOptions options = default) =>
        CallInvoker.AsyncUnaryCall(VerifyIntegrityMethod, null, options, request);

    public AsyncUnaryCall<Assessment.V1.Assessment> GetStateAtAsync(GetStateAtRequest request, CallOptions options = default) =>
        CallInvoker.AsyncUnaryCall(GetStateAtMethod, null, options, request);

    public AsyncUnaryCall<ListAccessEventsResponse> ListAccessEventsAsync(ListAccessEventsRequest request, CallOptions options = default) =>
        CallInvoker.AsyncUnaryCall(ListAccessEventsMethod, null, options, request);

    private static Method<TRequest, TResponse> For<TRequest, TResponse>(string name)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new() =>
        Method<TRequest, TResponse>.FromDescriptor(Service.FindMethodByName(name));
}
