using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using Microsoft.AspNetCore.Http;
using SpasmPlatform.Grpc.Protocol;
using SpasmPlatform.Testing.V1;

namespace SpasmPlatform.Grpc.Tests.Client;

/// <summary>Hand-written health and reflection endpoints, as a real server would answer on the wire.</summary>
internal static class FakeStandardServices
{
    public const string CheckPath = "/grpc.health.v1.Health/Check";
    public const string WatchPath = "/grpc.health.v1.Health/Watch";
    public const string ReflectionPath = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";

    /// <summary>Health Check: the status from <paramref name="statusOf"/>, or NOT_FOUND when it returns null.</summary>
    public static RequestDelegate Health(Func<string, HealthCheckResponse.Types.ServingStatus?> statusOf) => async context =>
    {
        if (context.Request.Path != CheckPath)
        {
            GrpcWire.TrailersOnly(context, StatusCode.Unimplemented, $"Unknown method {context.Request.Path}");
            return;
        }

        var request = await GrpcWire.ReadRequestAsync<HealthCheckRequest>(context);
        if (statusOf(request!.Service) is not { } status)
        {
            GrpcWire.TrailersOnly(context, StatusCode.NotFound, $"Unknown service '{request.Service}'.");
            return;
        }

        await GrpcWire.RespondAsync(context, new HealthCheckResponse { Status = status });
    };

    /// <summary>
    /// Reflection over the echo service: list_services names it and health; file_containing_symbol returns the
    /// defining file followed by an unrelated "dependency", as servers send transitive files too.
    /// </summary>
    public static async Task Reflection(HttpContext context)
    {
        if (context.Request.Path != ReflectionPath)
        {
            GrpcWire.TrailersOnly(context, StatusCode.Unimplemented, $"Unknown method {context.Request.Path}");
            return;
        }

        await GrpcWire.StartResponseAsync(context);
        while (await GrpcWire.ReadRequestAsync<ServerReflectionRequest>(context) is { } request)
        {
            await GrpcWire.WriteResponseAsync(context, Answer(request));
        }

        GrpcWire.SetStatus(context, StatusCode.OK);
    }

    private static ServerReflectionResponse Answer(ServerReflectionRequest request)
    {
        var response = new ServerReflectionResponse { OriginalRequest = request };
        switch (request.MessageRequestCase)
        {
            case ServerReflectionRequest.MessageRequestOneofCase.ListServices:
                response.ListServicesResponse = new ListServiceResponse
                {
                    Service = { new ServiceResponse { Name = "spasm.testing.v1.EchoService" }, new ServiceResponse { Name = "grpc.health.v1.Health" } },
                };
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingSymbol when request.FileContainingSymbol.StartsWith("spasm.testing.v1.", StringComparison.Ordinal):
                response.FileDescriptorResponse = new FileDescriptorResponse
                {
                    FileDescriptorProto = { ToBytes(EchoReflection.Descriptor), ToBytes(HealthReflection.Descriptor) },
                };
                break;
            default:
                response.ErrorResponse = new ErrorResponse { ErrorCode = (int)StatusCode.NotFound, ErrorMessage = "Symbol not found." };
                break;
        }

        return response;
    }

    private static ByteString ToBytes(FileDescriptor file) => file.ToProto().ToByteString();
}
