using SpasmPlatform.IntegrationTests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace SpasmPlatform.IntegrationTests.Deployment;

/// <summary>
/// The web console as docker compose and Kubernetes would run it: HTTPS on 5104, the services' addresses and its own
/// certificate (role console), and people signed in by OpenID Connect, since the demo sign-in listens on loopback only.
/// </summary>
public sealed class ConsoleDeploymentTests
{
    private const string Project = "services/Console/SpasmPlatform.Console/SpasmPlatform.Console.csproj";

    [Fact]
    public void Compose_runs_the_console_on_5104_with_openid_connect_its_certificate_and_every_service()
    {
        var console = (YamlMappingNode)((YamlMappingNode)DockerComposeTests.LoadCompose()["services"])["console"];
        var environment = (YamlMappingNode)console["environment"];
        Assert.Equal("OpenIdConnect", environment["Console__SignIn"].ToString());
        Assert.Equal("/certs/console.pem", environment["Console__ClientCertificate"].ToString());
        foreach (var (name, port, _) in DockerComposeTests.Services)
        {
            var key = name switch { "care-plan" => "CarePlan", "assessment" => "Assessment", _ => "Knowledge" };
            Assert.Equal($"https://{name}:{port}", environment[$"Console__Services__{key}"].ToString());
            Assert.Equal("service_healthy", ((YamlMappingNode)((YamlMappingNode)console["depends_on"])[name])["condition"].ToString());
        }

        Assert.EndsWith(":5104", ((YamlSequenceNode)console["ports"]).Children.Single().ToString(), StringComparison.Ordinal);
        var dockerfile = File.ReadAllText(Path.Combine(Platform.RepoRoot, ((YamlMappingNode)console["build"])["dockerfile"].ToString()));
        Assert.Contains(Project, dockerfile, StringComparison.Ordinal);
        Assert.Contains("Console__Port=5104", dockerfile, StringComparison.Ordinal);
        Assert.Contains("SpasmPlatform.Console.dll probe", dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void Kubernetes_deploys_the_console_with_https_probes_and_openid_connect()
    {
        var documents = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(Platform.RepoRoot, "deploy", "kubernetes", "console.yaml")))
        {
            documents.Load(reader);
        }

        var all = documents.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
        YamlMappingNode Of(string kind) => Assert.Single(all, d => d["kind"].ToString() == kind && ((YamlMappingNode)d["metadata"])["name"].ToString().Contains("console", StringComparison.Ordinal));
        var config = (YamlMappingNode)Of("ConfigMap")["data"];
        Assert.Equal("OpenIdConnect", config["Console__SignIn"].ToString());
        Assert.StartsWith("https://", config["Console__Oidc__Authority"].ToString(), StringComparison.Ordinal);
        Assert.Equal("https://care-plan.spasm-platform.svc.cluster.local:5103", config["Console__Services__CarePlan"].ToString());

        var deployment = Of("Deployment");
        var container = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)deployment["spec"])["template"])["spec"])["containers"]).Children.Single();
        foreach (var probe in new[] { "readinessProbe", "livenessProbe" })
        {
            var get = (YamlMappingNode)((YamlMappingNode)container[probe])["httpGet"];
            Assert.Equal("/healthz", get["path"].ToString());
            Assert.Equal("HTTPS", get["scheme"].ToString());
            Assert.Equal("5104", get["port"].ToString());
        }

        var service = (YamlMappingNode)Of("Service")["spec"];
        Assert.Equal("ClientIP", service["sessionAffinity"].ToString());
    }
}
