using Google.Protobuf;
using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.Grpc.Client;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Contracts.Clients;

/// <summary>Typed client of spasm.careplan.v1.CarePlanService over our gRPC layer.</summary>
public sealed class CarePlanClient : ClientBase
{
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor Service = CareplanReflection.Descriptor.Services[0];

    private static readonly Method<GetCarePlanRequest, CarePlan.V1.CarePlan> GetCarePlanMethod = Unary<GetCarePlanRequest, CarePlan.V1.CarePlan>("GetCarePlan");
    private static readonly Method<ListCarePlansRequest, ListCarePlansResponse> ListCarePlansMethod = Unary<ListCarePlansRequest, ListCarePlansResponse>("ListCarePlans");
    private static readonly Method<ApproveCarePlanRequest, CarePlan.V1.CarePlan> ApproveCarePlanMethod = Unary<ApproveCarePlanRequest, CarePlan.V1.CarePlan>("ApproveCarePlan");
    private static readonly Method<AmendCarePlanRequest, CarePlan.V1.CarePlan> AmendCarePlanMethod = Unary<AmendCarePlanRequest, CarePlan.V1.CarePlan>("AmendCarePlan");
    private static readonly Method<RejectCarePlanRequest, CarePlan.V1.CarePlan> RejectCarePlanMethod = Unary<RejectCarePlanRequest, CarePlan.V1.CarePlan>("RejectCarePlan");

    public CarePlanClient(GrpcChannel channel)
        : base(channel)
    {
    }

    public CarePlanClient(CallInvoker callInvoker)
        : base(callInvoker)
    {
    }

    public AsyncUnaryCall<CarePlan.V1.CarePlan> GetCarePlanAsync(GetCarePlanRequest request, CallOptions options = default) => Call(GetCarePlanMethod, request, options);

    public AsyncUnaryCall<ListCarePlansResponse> ListCarePlansAsync(ListCarePlansRequest request, CallOptions options = default) => Call(ListCarePlansMethod, request, options);

    public AsyncUnaryCall<CarePlan.V1.CarePlan> ApproveCarePlanAsync(ApproveCarePlanRequest request, CallOptions options = default) => Call(ApproveCarePlanMethod, request, options);

    public AsyncUnaryCall<CarePlan.V1.CarePlan> AmendCarePlanAsync(AmendCarePlanRequest request, CallOptions options = default) => Call(AmendCarePlanMethod, request, options);

    public AsyncUnaryCall<CarePlan.V1.CarePlan> RejectCarePlanAsync(RejectCarePlanRequest request, CallOptions options = default) => Call(RejectCarePlanMethod, request, options);

    private AsyncUnaryCall<TResponse> Call<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new() =>
        CallInvoker.AsyncUnaryCall(method, null, options, request);

    private static Method<TRequest, TResponse> Unary<TRequest, TResponse>(string name)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new() =>
        Method<TRequest, TResponse>.FromDescriptor(Service.FindMethodByName(name));
}
