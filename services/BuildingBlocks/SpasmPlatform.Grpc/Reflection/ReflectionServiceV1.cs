using Google.Protobuf;
using SpasmPlatform.Grpc.Protocol;
using SpasmPlatform.Grpc.Server;
using V1 = Grpc.Reflection.V1;
using V1Alpha = Grpc.Reflection.V1Alpha;
using ProtoServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace SpasmPlatform.Grpc.Reflection;

/// <summary>
/// grpc.reflection.v1.ServerReflection. Its messages are field-for-field those of v1alpha, so requests and
/// responses are translated (requests field by field, responses through their wire bytes) and one resolver serves both versions.
/// </summary>
public sealed class ReflectionServiceV1(ReflectionResolver resolver) : IGrpcService
{
    public static ProtoServiceDescriptor Descriptor => V1.ReflectionReflection.Descriptor.Services[0];

    public async Task ServerReflectionInfo(
        IAsyncStreamReader<V1.ServerReflectionRequest> requestStream,
        IServerStreamWriter<V1.ServerReflectionResponse> responseStream,
        ServerCallContext context)
    {
        while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            var request = ReflectionRequests.FromV1(requestStream.Current);
            var response = V1.ServerReflectionResponse.Parser.ParseFrom(resolver.Resolve(request).ToByteString());
            await responseStream.WriteAsync(response, context.CancellationToken).ConfigureAwait(false);
        }
    }
}
