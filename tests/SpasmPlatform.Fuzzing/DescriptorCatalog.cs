using System.Reflection;
using Google.Protobuf.Reflection;

namespace SpasmPlatform.Fuzzing;

/// <summary>Every service the generated code of the given assemblies declares, by full name.</summary>
public sealed class DescriptorCatalog
{
    private readonly Dictionary<string, ServiceDescriptor> _services = new(StringComparer.Ordinal);

    public DescriptorCatalog(params Assembly[] assemblies)
    {
        foreach (var file in assemblies.SelectMany(FileDescriptors))
        {
            foreach (var service in file.Services)
            {
                _services[service.FullName] = service;
            }
        }
    }

    public IReadOnlyCollection<string> ServiceNames => _services.Keys;

    public ServiceDescriptor? Find(string fullName) => _services.GetValueOrDefault(fullName);

    /// <summary>Every RPC of the named services; a name without generated code is an error (it could not be fuzzed).</summary>
    public IReadOnlyList<FuzzTarget> Targets(IEnumerable<string> serviceNames) =>
        serviceNames
            .Select(name => Find(name) ?? throw new InvalidOperationException($"The server offers {name}, but no generated descriptor declares it."))
            .SelectMany(service => service.Methods.Select(method => new FuzzTarget(method)))
            .OrderBy(target => target.Path, StringComparer.Ordinal)
            .ToList();

    // protoc's C# output has one static "<File>Reflection" class per .proto with a Descriptor property.
    private static IEnumerable<FileDescriptor> FileDescriptors(Assembly assembly) =>
        assembly.GetTypes()
            .Where(type => type is { IsAbstract: true, IsSealed: true } && type.Name.EndsWith("Reflection", StringComparison.Ordinal))
            .Select(type => type.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null))
            .OfType<FileDescriptor>();
}
