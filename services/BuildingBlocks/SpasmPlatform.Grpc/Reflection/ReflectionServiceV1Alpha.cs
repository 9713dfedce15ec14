using Grpc.Reflection.V1Alpha;
using SpasmPlatform.Grpc.Protocol;
using SpasmPlatform.Grpc.Server;
using ProtoServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace SpasmPlatform.Grpc.Reflection;

/// <summary>grpc.reflection.v1alpha.ServerReflection, used by grpcurl and most tools today.</summary>
public sealed class ReflectionServiceV1Alpha(ReflectionResolver resolver) : IGrpcService
{
    public static ProtoServiceDescriptor Descriptor => ReflectionReflection.Descriptor.Services[0];

    public async Task ServerReflectionInfo(
        IAsyncStreamReader<ServerReflectionRequest> requestStream,
        IServerStreamWriter<ServerReflectionResponse> responseStream,
        ServerCallContext context)
    {
        while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            await responseStream.WriteAsync(resolver.Resolve(requestStream.Current), context.CancellationToken).ConfigureAwait(false);
        }
    }
}
