using Google.Protobuf.Reflection;

namespace SpasmPlatform.Cli;

/// <summary>The fully-qualified names a .proto file declares, as protobuf scopes them.</summary>
internal static class SymbolIndex
{
    public static bool Declares(FileDescriptorProto file, string symbol) => Names(file).Contains(symbol, StringComparer.Ordinal);

    public static IEnumerable<string> Names(FileDescriptorProto file)
    {
        var scope = file.Package;
        foreach (var service in file.Service)
        {
            var serviceName = Qualify(scope, service.Name);
            yield return serviceName;
            foreach (var method in service.Method)
            {
                yield return Qualify(serviceName, method.Name);
            }
        }

        foreach (var name in file.MessageType.SelectMany(message => MessageNames(scope, message)))
        {
            yield return name;
        }

        foreach (var name in file.EnumType.SelectMany(e => EnumNames(scope, e)))
        {
            yield return name;
        }

        foreach (var extension in file.Extension)
        {
            yield return Qualify(scope, extension.Name);
        }
    }

    private static IEnumerable<string> MessageNames(string scope, DescriptorProto message)
    {
        var name = Qualify(scope, message.Name);
        yield return name;
        foreach (var field in message.Field.Concat(message.Extension))
        {
            yield return Qualify(name, field.Name);
        }

        foreach (var nested in message.NestedType.SelectMany(n => MessageNames(name, n)))
        {
            yield return nested;
        }

        foreach (var nested in message.EnumType.SelectMany(e => EnumNames(name, e)))
        {
            yield return nested;
        }
    }

    // Enum values are scoped as siblings of their enum (C++ scoping rules), not inside it.
    private static IEnumerable<string> EnumNames(string scope, EnumDescriptorProto enumType) =>
        enumType.Value.Select(value => Qualify(scope, value.Name)).Prepend(Qualify(scope, enumType.Name));

    private static string Qualify(string scope, string name) => string.IsNullOrEmpty(scope) ? name : $"{scope}.{name}";
}
