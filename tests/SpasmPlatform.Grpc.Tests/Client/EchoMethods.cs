using SpasmPlatform.Grpc.Protocol;
using SpasmPlatform.Testing.V1;

namespace SpasmPlatform.Grpc.Tests.Client;

/// <summary>spasm.testing.v1.EchoService methods, built from the generated descriptor as typed clients do.</summary>
internal static class EchoMethods
{
    public static readonly Method<EchoRequest, EchoResponse> Echo = From("Echo");
    public static readonly Method<EchoRequest, EchoResponse> Expand = From("Expand");
    public static readonly Method<EchoRequest, EchoResponse> Collect = From("Collect");
    public static readonly Method<EchoRequest, EchoResponse> Chat = From("Chat");

    /// <summary>Echo's shape without the IDEMPOTENT option, for proving that such calls are never retried.</summary>
    public static readonly Method<EchoRequest, EchoResponse> EchoNotIdempotent =
        new(MethodType.Unary, "spasm.testing.v1.EchoService", "Echo", isIdempotent: false);

    private static Method<EchoRequest, EchoResponse> From(string name) =>
        Method<EchoRequest, EchoResponse>.FromDescriptor(EchoReflection.Descriptor.Services[0].FindMethodByName(name));
}
