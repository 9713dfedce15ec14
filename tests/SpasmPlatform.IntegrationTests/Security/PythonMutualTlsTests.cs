using System.Diagnostics;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.Security;

/// <summary>A real gRPC peer (Debian's python3-grpcio, C-core) as a clinic system over mutual TLS.</summary>
public sealed class PythonMutualTlsTests(SecurePlatform platform) : IClassFixture<SecurePlatform>
{
    [Fact]
    public async Task Grpcio_presents_its_certificate_and_gets_its_clinic_and_nothing_else()
    {
        var (certificate, key, _) = platform.Pki.Issue("CN=python-ehr, OU=clinic-system, O=clinic-py");
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            ArgumentList =
            {
                Path.Combine(Platform.RepoRoot, "tests", "interop", "python", "mtls_client.py"),
                $"127.0.0.1:{platform.Assessment.Address.Port}", platform.Pki.CaPath, certificate, key, "clinic-py",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(process.ExitCode == 0, $"python exited {process.ExitCode}: {errors}");
        var results = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal("OK", results["health"]);
        Assert.Equal("OK", results["own-clinic"]);
        Assert.Equal("PERMISSION_DENIED", results["other-clinic"]);
        Assert.Equal("UNAUTHENTICATED", results["no-certificate"]);
    }
}
