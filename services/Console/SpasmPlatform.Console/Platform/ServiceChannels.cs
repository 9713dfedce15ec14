using Grpc.Net.Client;
using SpasmPlatform.Contracts.Calling;

namespace SpasmPlatform.Console.Platform;

/// <summary>One channel per service for the whole console: over https each presents the console's certificate.</summary>
public sealed class ServiceChannels : IDisposable
{
    public ServiceChannels(ConsoleSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Assessment = Open(settings.Assessment, settings);
        Knowledge = Open(settings.Knowledge, settings);
        CarePlan = Open(settings.CarePlan, settings);
    }

    public GrpcChannel Assessment { get; }

    public GrpcChannel Knowledge { get; }

    public GrpcChannel CarePlan { get; }

    public void Dispose()
    {
        Assessment.Dispose();
        Knowledge.Dispose();
        CarePlan.Dispose();
    }

    private static GrpcChannel Open(Uri address, ConsoleSettings settings) =>
        PlatformChannels.Create(address, address.Scheme == Uri.UriSchemeHttps
            ? MutualTlsHandler.FromPemFiles(settings.ClientCertificate, settings.ClientCertificateKey, settings.TrustedCa!)
            : PlatformChannels.CreateHandler());
}
