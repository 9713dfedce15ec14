using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.Knowledge;

/// <summary>spasm-cli knowledge ... against a running knowledge service, as an operator would use it.</summary>
public sealed class KnowledgeCliTests(KnowledgeHost host) : IClassFixture<KnowledgeHost>
{
    [Fact]
    public async Task Search_and_versions_print_json_and_exit_zero()
    {
        var (code, output, _) = await SpasmCli.RunAsync("knowledge", "search", "--address", host.Service.Address.ToString(), "numb saddle area", "--limit", "3");
        Assert.Equal(0, code);
        Assert.Contains("\"code\": \"cauda_equina_syndrome\"", output, StringComparison.Ordinal);

        (code, output, _) = await SpasmCli.RunAsync("knowledge", "versions", "--address", host.Service.Address.ToString());
        Assert.Equal(0, code);
        Assert.Contains($"\"current_version\": \"{KnowledgeContent.BundledVersion}\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failures_print_the_status_and_field_violations_and_exit_one()
    {
        var (code, _, error) = await SpasmCli.RunAsync("knowledge", "rules", "--address", host.Service.Address.ToString(), "--version", "not-a-version");

        Assert.Equal(1, code);
        Assert.Contains("InvalidArgument", error, StringComparison.Ordinal);
        Assert.Contains("version: 'not-a-version' is not a semantic version", error, StringComparison.Ordinal);
    }
}
