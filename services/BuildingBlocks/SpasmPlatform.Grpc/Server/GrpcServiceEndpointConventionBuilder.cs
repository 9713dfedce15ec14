using Microsoft.AspNetCore.Builder;

namespace SpasmPlatform.Grpc.Server;

/// <summary>Applies a convention (authorization, metadata) to every RPC endpoint of one service.</summary>
public sealed class GrpcServiceEndpointConventionBuilder(IReadOnlyList<IEndpointConventionBuilder> methods) : IEndpointConventionBuilder
{
    public void Add(Action<EndpointBuilder> convention)
    {
        foreach (var method in methods)
        {
            method.Add(convention);
        }
    }

    public void Finally(Action<EndpointBuilder> finallyConvention)
    {
        foreach (var method in methods)
        {
            method.Finally(finallyConvention);
        }
    }
}
