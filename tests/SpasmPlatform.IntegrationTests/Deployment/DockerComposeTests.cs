using System.Text.RegularExpressions;
using SpasmPlatform.IntegrationTests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace SpasmPlatform.IntegrationTests.Deployment;

/// <summary>
/// No Docker engine runs here, so docker-compose.yml and the Dockerfiles are kept honest by reading them:
/// the YAML must parse, and what it names (services, ports, health checks, Dockerfiles, projects) must exist.
/// </summary>
public sealed partial class DockerComposeTests
{
    internal static readonly (string Name, int Port, string Project)[] Services =
    [
        ("assessment", 5101, "services/Assessment/SpasmPlatform.Assessment/SpasmPlatform.Assessment.csproj"),
        ("knowledge", 5102, "services/Knowledge/SpasmPlatform.Knowledge/SpasmPlatform.Knowledge.csproj"),
        ("care-plan", 5103, "services/CarePlan/SpasmPlatform.CarePlan/SpasmPlatform.CarePlan.csproj"),
    ];

    internal static YamlMappingNode LoadCompose()
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Platform.RepoRoot, "docker-compose.yml"));
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents.Single().RootNode;
    }

    private static YamlMappingNode ServiceNode(string name) =>
        (YamlMappingNode)((YamlMappingNode)LoadCompose()["services"])[name];

    [Fact]
    public void Compose_file_declares_the_platform_with_health_checked_infrastructure()
    {
        var services = (YamlMappingNode)LoadCompose()["services"];
        var names = services.Children.Keys.Select(k => ((YamlScalarNode)k).Value).ToList();

        Assert.Contains("postgres", names);
        Assert.Contains("rabbitmq", names);
        Assert.All(Services, s => Assert.Contains(s.Name, names));
        Assert.Contains("healthcheck", ServiceNode("postgres").Children.Keys.Select(k => k.ToString()));
        Assert.Contains("healthcheck", ServiceNode("rabbitmq").Children.Keys.Select(k => k.ToString()));
    }

    [Theory]
    [InlineData("assessment")]
    [InlineData("knowledge")]
    [InlineData("care-plan")]
    public void Each_service_waits_for_healthy_infrastructure_and_is_health_checked_over_grpc(string name)
    {
        var service = ServiceNode(name);
        var dependsOn = (YamlMappingNode)service["depends_on"];
        foreach (var infra in new[] { "postgres", "rabbitmq" })
        {
            Assert.Equal("service_healthy", ((YamlMappingNode)dependsOn[infra])["condition"].ToString());
        }

        var dockerfile = ((YamlMappingNode)service["build"])["dockerfile"].ToString();
        var text = File.ReadAllText(Path.Combine(Platform.RepoRoot, dockerfile));
        var expected = Services.Single(s => s.Name == name);
        Assert.Contains(expected.Project, text);
        Assert.Contains($"Grpc__Port={expected.Port}", text);
        Assert.Matches(HealthCheckCommand(), text);
    }

    [Fact]
    public void The_observability_profile_runs_a_collector_that_takes_every_signal_and_sends_traces_to_jaeger()
    {
        var collector = ServiceNode("otel-collector");
        var jaeger = ServiceNode("jaeger");
        Assert.Equal("observability", ((YamlSequenceNode)collector["profiles"]).Children.Single().ToString());
        Assert.Equal("observability", ((YamlSequenceNode)jaeger["profiles"]).Children.Single().ToString());
        var mount = ((YamlSequenceNode)collector["volumes"]).Children.Single().ToString().Split(':')[0];
        var config = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(Platform.RepoRoot, mount)))
        {
            config.Load(reader);
        }

        var root = (YamlMappingNode)config.Documents.Single().RootNode;
        var pipelines = (YamlMappingNode)((YamlMappingNode)root["service"])["pipelines"];
        // The services export traces, metrics and logs: a collector with no pipeline for one would refuse it.
        foreach (var signal in new[] { "traces", "metrics", "logs" })
        {
            Assert.Contains("otlp", ((YamlSequenceNode)((YamlMappingNode)pipelines[signal])["receivers"]).Children.Select(c => c.ToString()));
        }

        var traces = (YamlMappingNode)pipelines["traces"];
        var exporter = ((YamlSequenceNode)traces["exporters"]).Children.Single().ToString();
        Assert.StartsWith("jaeger:", ((YamlMappingNode)((YamlMappingNode)root["exporters"])[exporter])["endpoint"].ToString(), StringComparison.Ordinal);
        Assert.Contains("15672", ((YamlSequenceNode)ServiceNode("rabbitmq")["ports"]).Children.Single().ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_path_the_dockerfiles_copy_or_publish_exists()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(Platform.RepoRoot, "deploy", "docker"), "*.Dockerfile"))
        {
            foreach (Match match in ProjectPath().Matches(File.ReadAllText(file)))
            {
                Assert.True(File.Exists(Path.Combine(Platform.RepoRoot, match.Value)), $"{Path.GetFileName(file)} names {match.Value}, which does not exist");
            }
        }
    }

    [GeneratedRegex(@"HEALTHCHECK[^\n]*\n[^\n]*spasm-cli\.dll health --address")]
    private static partial Regex HealthCheckCommand();

    [GeneratedRegex(@"services/[\w./-]+\.csproj")]
    private static partial Regex ProjectPath();
}
