using Google.Protobuf;
using SpasmPlatform.Grpc.Client;
using SpasmPlatform.Grpc.Protocol;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.Contracts.Clients;

/// <summary>Typed client of spasm.knowledge.v1.KnowledgeService over our gRPC layer.</summary>
public sealed class KnowledgeClient : ClientBase
{
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor Service = KnowledgeReflection.Descriptor.Services[0];

    private static readonly Method<GetRuleSetRequest, RuleSet> GetRuleSetMethod = Unary<GetRuleSetRequest, RuleSet>("GetRuleSet");
    private static readonly Method<ListConditionsRequest, ListConditionsResponse> ListConditionsMethod = Unary<ListConditionsRequest, ListConditionsResponse>("ListConditions");
    private static readonly Method<GetConditionRequest, Condition> GetConditionMethod = Unary<GetConditionRequest, Condition>("GetCondition");
    private static readonly Method<ListInterventionsRequest, ListInterventionsResponse> ListInterventionsMethod = Unary<ListInterventionsRequest, ListInterventionsResponse>("ListInterventions");
    private static readonly Method<SearchRequest, SearchResponse> SearchMethod = Unary<SearchRequest, SearchResponse>("Search");
    private static readonly Method<ListVersionsRequest, ListVersionsResponse> ListVersionsMethod = Unary<ListVersionsRequest, ListVersionsResponse>("ListVersions");
    private static readonly Method<PublishVersionRequest, PublishVersionResponse> PublishVersionMethod = Unary<PublishVersionRequest, PublishVersionResponse>("PublishVersion");
    private static readonly Method<GetKnowledgeBaseRequest, KnowledgeBase> GetKnowledgeBaseMethod = Unary<GetKnowledgeBaseRequest, KnowledgeBase>("GetKnowledgeBase");

    public KnowledgeClient(GrpcChannel channel)
        : base(channel)
    {
    }

    public KnowledgeClient(CallInvoker callInvoker)
        : base(callInvoker)
    {
    }

    public AsyncUnaryCall<RuleSet> GetRuleSetAsync(GetRuleSetRequest request, CallOptions options = default) => Call(GetRuleSetMethod, request, options);

    public AsyncUnaryCall<ListConditionsResponse> ListConditionsAsync(ListConditionsRequest request, CallOptions options = default) => Call(ListConditionsMethod, request, options);

    public AsyncUnaryCall<Condition> GetConditionAsync(GetConditionRequest request, CallOptions options = default) => Call(GetConditionMethod, request, options);

    public AsyncUnaryCall<ListInterventionsResponse> ListInterventionsAsync(ListInterventionsRequest request, CallOptions options = default) => Call(ListInterventionsMethod, request, options);

    public AsyncUnaryCall<SearchResponse> SearchAsync(SearchRequest request, CallOptions options = default) => Call(SearchMethod, request, options);

    public AsyncUnaryCall<ListVersionsResponse> ListVersionsAsync(ListVersionsRequest request, CallOptions options = default) => Call(ListVersionsMethod, request, options);

    public AsyncUnaryCall<PublishVersionResponse> PublishVersionAsync(PublishVersionRequest request, CallOptions options = default) => Call(PublishVersionMethod, request, options);

    public AsyncUnaryCall<KnowledgeBase> GetKnowledgeBaseAsync(GetKnowledgeBaseRequest request, CallOptions options = default) => Call(GetKnowledgeBaseMethod, request, options);

    private AsyncUnaryCall<TResponse> Call<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new() =>
        CallInvoker.AsyncUnaryCall(method, null, options, request);

    private static Method<TRequest, TResponse> Unary<TRequest, TResponse>(string name)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new() =>
        Method<TRequest, TResponse>.FromDescriptor(Service.FindMethodByName(name));
}
