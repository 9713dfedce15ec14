using System.Reflection;
using System.Runtime.InteropServices;

namespace SpasmPlatform.Grpc.Client;

/// <summary>The structured user-agent PROTOCOL-HTTP2.md recommends: "grpc-" language "-" variant "/" version (properties).</summary>
internal static class UserAgent
{
    public static readonly string Value = Build();

    private static string Build()
    {
        var version = typeof(UserAgent).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = version.IndexOf('+');
        if (plus >= 0)
        {
            version = version[..plus];
        }

        return $"grpc-csharp-spasm/{version} (.NET {Environment.Version}; {RuntimeInformation.RuntimeIdentifier})";
    }
}
