using SpasmPlatform.IntegrationTests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace SpasmPlatform.IntegrationTests.Deployment;

/// <summary>
/// deploy/kubernetes/ read as a cluster would: every document parses, and each service's Deployment, Service,
/// PodDisruptionBudget and HorizontalPodAutoscaler agree with each other, with docker-compose.yml's images and with
/// the ports the services listen on (<see cref="DockerComposeTests.Services"/>).
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly string Directory = Path.Combine(Platform.RepoRoot, "deploy", "kubernetes");

    private static List<YamlMappingNode> Documents() =>
        System.IO.Directory.GetFiles(Directory, "*.yaml").Order(StringComparer.Ordinal).SelectMany(file =>
        {
            var yaml = new YamlStream();
            using var reader = new StreamReader(file);
            yaml.Load(reader);
            return yaml.Documents.Select(d => (YamlMappingNode)d.RootNode);
        }).ToList();

    private static YamlMappingNode Single(string kind, string name) =>
        Assert.Single(Documents(), d => d["kind"].ToString() == kind && ((YamlMappingNode)d["metadata"])["name"].ToString() == name);

    private static YamlNode At(YamlNode node, params string[] path) =>
        path.Aggregate(node, (current, key) => ((YamlMappingNode)current)[key]);

    [Fact]
    public void Every_object_has_a_kind_a_name_and_the_platform_namespace()
    {
        var documents = Documents();
        Assert.NotEmpty(documents);
        Assert.All(documents, d =>
        {
            Assert.False(string.IsNullOrEmpty(d["apiVersion"].ToString()));
            var metadata = (YamlMappingNode)d["metadata"];
            Assert.False(string.IsNullOrEmpty(metadata["name"].ToString()));
            if (d["kind"].ToString() != "Namespace")
            {
                Assert.Equal("spasm-platform", metadata["namespace"].ToString());
            }
        });
    }

    [Theory]
    [InlineData("assessment")]
    [InlineData("knowledge")]
    [InlineData("care-plan")]
    public void Each_service_is_deployed_with_its_image_port_and_grpc_health_probes(string name)
    {
        var port = DockerComposeTests.Services.Single(s => s.Name == name).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var deployment = Single("Deployment", name);
        Assert.True(int.Parse(At(deployment, "spec", "replicas").ToString(), System.Globalization.CultureInfo.InvariantCulture) >= 2, "several replicas");
        var selector = (YamlMappingNode)At(deployment, "spec", "selector", "matchLabels");
        Assert.Equal(name, selector["app.kubernetes.io/name"].ToString());
        Assert.Equal(name, At(deployment, "spec", "template", "metadata", "labels", "app.kubernetes.io/name").ToString());

        var container = (YamlMappingNode)((YamlSequenceNode)At(deployment, "spec", "template", "spec", "containers")).Children.Single();
        // The same image repository as docker-compose.yml builds, any tag.
        var composeImage = At(DockerComposeTests.LoadCompose(), "services", name, "image").ToString();
        Assert.Equal(composeImage.Split(':')[0], container["image"].ToString().Split(':')[0]);
        var ports = ((YamlSequenceNode)container["ports"]).Children.Cast<YamlMappingNode>().ToDictionary(p => p["name"].ToString(), p => p["containerPort"].ToString());
        Assert.Equal(port, ports["grpc"]);
        var env = ((YamlSequenceNode)container["env"]).Children.Cast<YamlMappingNode>().ToDictionary(e => e["name"].ToString());
        Assert.Equal(port, env["Grpc__Port"]["value"].ToString());
        // Probes reach the cleartext health-only port; the service port is mutual TLS with the mounted certificate.
        var healthPort = env["Grpc__HealthPort"]["value"].ToString();
        Assert.Equal(healthPort, ports["health"]);
        Assert.NotEqual(port, healthPort);
        var mounts = ((YamlSequenceNode)container["volumeMounts"]).Children.Cast<YamlMappingNode>().ToDictionary(m => m["name"].ToString(), m => m["mountPath"].ToString());
        foreach (var setting in new[] { "Security__Certificate", "Security__CertificateKey", "Security__TrustedCa" })
        {
            Assert.StartsWith(mounts["certs"] + "/", env[setting]["value"].ToString(), StringComparison.Ordinal);
        }
        Assert.Contains("ConnectionStrings__Postgres", env.Keys);
        Assert.Contains("ConnectionStrings__RabbitMq", env.Keys);
        Assert.NotNull(At(container, "resources", "requests", "cpu"));
        Assert.NotNull(At(container, "resources", "requests", "memory"));

        foreach (var probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
        {
            Assert.Equal(healthPort, At(container, probe, "grpc", "port").ToString());
        }

        // Readiness follows the whole server (storage, knowledge, shutdown); liveness only that the process answers.
        Assert.False(((YamlMappingNode)At(container, "readinessProbe", "grpc")).Children.ContainsKey("service"));
        Assert.Equal(SpasmPlatform.ServiceDefaults.Extensions.LivenessService, At(container, "livenessProbe", "grpc", "service").ToString());

        // The kubelet's SIGKILL must come after the host's own drain has had its time.
        var grace = int.Parse(At(deployment, "spec", "template", "spec", "terminationGracePeriodSeconds").ToString(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(grace > SpasmPlatform.ServiceDefaults.Extensions.DefaultShutdownTimeoutSeconds, $"terminationGracePeriodSeconds {grace} should exceed the host's drain");

        var service = Single("Service", name);
        Assert.Equal(name, At(service, "spec", "selector", "app.kubernetes.io/name").ToString());
        var servicePort = (YamlMappingNode)((YamlSequenceNode)At(service, "spec", "ports")).Children.Single();
        Assert.Equal(port, servicePort["port"].ToString());
        Assert.Equal("grpc", servicePort["targetPort"].ToString());

        var budget = Single("PodDisruptionBudget", name);
        Assert.Equal(name, At(budget, "spec", "selector", "matchLabels", "app.kubernetes.io/name").ToString());

        var autoscaler = Single("HorizontalPodAutoscaler", name);
        Assert.Equal("Deployment", At(autoscaler, "spec", "scaleTargetRef", "kind").ToString());
        Assert.Equal(name, At(autoscaler, "spec", "scaleTargetRef", "name").ToString());
        var min = int.Parse(At(autoscaler, "spec", "minReplicas").ToString(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(min >= 2, "the autoscaler never goes below two replicas");
    }

    [Fact]
    public void The_knowledge_address_points_at_the_knowledge_service()
    {
        var config = Single("ConfigMap", "spasm-platform");
        var address = new Uri(At(config, "data", "Knowledge__Address").ToString());
        Assert.StartsWith("knowledge.spasm-platform.", address.Host, StringComparison.Ordinal);
        Assert.Equal(DockerComposeTests.Services.Single(s => s.Name == "knowledge").Port, address.Port);
    }
}
