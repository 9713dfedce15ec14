using ProtoServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace SpasmPlatform.Grpc.Server;

/// <summary>The proto services this host serves; reflection lists them and health knows their names.</summary>
public sealed class GrpcServiceRegistry
{
    private readonly List<ProtoServiceDescriptor> _services = [];

    public IReadOnlyList<ProtoServiceDescriptor> Services
    {
        get
        {
            lock (_services)
            {
                return _services.ToArray();
            }
        }
    }

    internal void Add(ProtoServiceDescriptor service)
    {
        lock (_services)
        {
            if (_services.Any(s => s.FullName == service.FullName))
            {
                throw new InvalidOperationException($"Service {service.FullName} is mapped twice.");
            }

            _services.Add(service);
        }
    }

    public bool Contains(string serviceName)
    {
        lock (_services)
        {
            return _services.Any(s => s.FullName == serviceName);
        }
    }
}
