using Google.Rpc;
using Grpc.Core;
using SpasmPlatform.IntegrationTests.Infrastructure;
using SpasmPlatform.Knowledge.Loading;
using SpasmPlatform.Knowledge.V1;
using StatusCode = Grpc.Core.StatusCode;

namespace SpasmPlatform.IntegrationTests.Knowledge;

/// <summary>The knowledge service as a real process on PostgreSQL and RabbitMQ, serving the repository's content.</summary>
public sealed class KnowledgeServiceTests(KnowledgeHost host) : IClassFixture<KnowledgeHost>
{
    private static readonly KnowledgeBase FromFiles = KnowledgeLoader.LoadDirectory(KnowledgeContent.Directory);

    [Fact]
    public async Task Start_up_publishes_the_bundled_content_as_the_current_version()
    {
        var versions = await host.Client.ListVersionsAsync(new ListVersionsRequest());

        var version = Assert.Single(versions.Versions);
        Assert.Equal(KnowledgeContent.BundledVersion, versions.CurrentVersion);
        Assert.Equal(FromFiles.ContentHash, version.ContentHash);
        Assert.Equal(FromFiles.RuleSet.Version, version.RuleSetVersion);
        Assert.Equal(FromFiles.RuleSet.ContentHash, version.RuleSetHash);
        Assert.Equal("knowledge-service:bundled-content", version.PublishedBy);
        Assert.Equal(FromFiles.Conditions.Count, version.Conditions);
    }

    [Fact]
    public async Task Rule_set_round_trips_through_the_api_identically()
    {
        var current = await host.Client.GetRuleSetAsync(new GetRuleSetRequest());
        var byVersion = await host.Client.GetRuleSetAsync(new GetRuleSetRequest { Version = FromFiles.RuleSet.Version });
        var byKnowledgeVersion = await host.Client.GetRuleSetAsync(new GetRuleSetRequest { KnowledgeVersion = FromFiles.Manifest.Version });

        Assert.Equal(FromFiles.RuleSet, current);
        Assert.Equal(FromFiles.RuleSet, byVersion);
        Assert.Equal(FromFiles.RuleSet, byKnowledgeVersion);
        Assert.Equal(FromFiles, await host.Client.GetKnowledgeBaseAsync(new GetKnowledgeBaseRequest()));
    }

    [Fact]
    public async Task Conditions_are_listed_by_kind_and_fetched_by_code_with_sources()
    {
        var serious = await host.Client.ListConditionsAsync(new ListConditionsRequest { Kind = ConditionKind.SeriousPathology });
        Assert.Equal(FromFiles.Conditions.Count(c => c.Kind == ConditionKind.SeriousPathology), serious.Conditions.Count);
        Assert.All(serious.Conditions, c => Assert.Equal(ConditionKind.SeriousPathology, c.Kind));
        Assert.Equal(FromFiles.Manifest.Version, serious.KnowledgeVersion);

        var all = await host.Client.ListConditionsAsync(new ListConditionsRequest());
        Assert.Equal(FromFiles.Conditions.Count, all.Conditions.Count);

        var ces = await host.Client.GetConditionAsync(new GetConditionRequest { Code = "cauda_equina_syndrome", Version = FromFiles.Manifest.Version });
        Assert.Equal(FromFiles.Conditions.Single(c => c.Code == "cauda_equina_syndrome"), ces);
        Assert.NotEmpty(ces.Sources);
        Assert.All(ces.Sources, s => Assert.NotEmpty(s.Title));
    }

    [Fact]
    public async Task Interventions_filter_by_stance()
    {
        var notRecommended = await host.Client.ListInterventionsAsync(new ListInterventionsRequest { Stance = Stance.NotRecommended });
        Assert.Contains(notRecommended.Interventions, i => i.Code == "paracetamol_alone");
        Assert.All(notRecommended.Interventions, i => Assert.Equal(Stance.NotRecommended, i.Stance));
        Assert.DoesNotContain(notRecommended.Interventions, i => i.Code == "staying_active");

        var all = await host.Client.ListInterventionsAsync(new ListInterventionsRequest());
        Assert.Equal(FromFiles.Interventions.Count, all.Interventions.Count);
    }

    [Theory]
    [InlineData("cramp after exercise in heat", "dehydration_electrolyte_imbalance")]
    [InlineData("numb saddle area", "cauda_equina_syndrome")]
    [InlineData("trigger points with referred pain", "myofascial_pain_syndrome")]
    public async Task Search_ranks_the_expected_item_first(string query, string expectedCode)
    {
        var response = await host.Client.SearchAsync(new SearchRequest { Query = query });

        Assert.NotEmpty(response.Hits);
        Assert.Equal(expectedCode, response.Hits[0].Code);
        Assert.Contains('[', response.Hits[0].Snippet);
        Assert.NotEmpty(response.Hits[0].Sources);
        Assert.True(response.Hits.Zip(response.Hits.Skip(1)).All(p => p.First.Rank >= p.Second.Rank), "hits are ranked");
    }

    [Fact]
    public async Task Search_filters_by_kind_and_limits()
    {
        var response = await host.Client.SearchAsync(new SearchRequest { Query = "heat", Limit = 3, Kinds = { SearchItemKind.Intervention } });

        Assert.InRange(response.Hits.Count, 1, 3);
        Assert.All(response.Hits, h => Assert.Equal(SearchItemKind.Intervention, h.Kind));
    }

    [Fact]
    public async Task Unknown_codes_and_versions_are_not_found()
    {
        await AssertStatusAsync(StatusCode.NotFound, () => host.Client.GetConditionAsync(new GetConditionRequest { Code = "no_such_condition" }).ResponseAsync);
        await AssertStatusAsync(StatusCode.NotFound, () => host.Client.GetRuleSetAsync(new GetRuleSetRequest { Version = "99.0.0" }).ResponseAsync);
        await AssertStatusAsync(StatusCode.NotFound, () => host.Client.ListConditionsAsync(new ListConditionsRequest { Version = "99.0.0" }).ResponseAsync);
        await AssertStatusAsync(StatusCode.NotFound, () => host.Client.SearchAsync(new SearchRequest { Query = "spasm", Version = "99.0.0" }).ResponseAsync);
    }

    [Fact]
    public async Task Bad_arguments_are_invalid_with_every_field_violation()
    {
        var search = await AssertStatusAsync(StatusCode.InvalidArgument, () =>
            host.Client.SearchAsync(new SearchRequest { Query = "", Limit = 1000, Version = "latest", Kinds = { SearchItemKind.Unspecified } }).ResponseAsync);
        var fields = search.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations.Select(v => v.Field).ToList();
        Assert.Equal(["query", "limit", "kinds[0]", "version"], fields);

        var condition = await AssertStatusAsync(StatusCode.InvalidArgument, () => host.Client.GetConditionAsync(new GetConditionRequest { Code = "Cauda Equina" }).ResponseAsync);
        Assert.Equal("code", Assert.Single(condition.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations).Field);

        await AssertStatusAsync(StatusCode.InvalidArgument, () => host.Client.ListConditionsAsync(new ListConditionsRequest { Kind = (ConditionKind)42 }).ResponseAsync);
        await AssertStatusAsync(StatusCode.InvalidArgument, () => host.Client.GetRuleSetAsync(new GetRuleSetRequest { Version = "1.0.0", KnowledgeVersion = "1.0.0" }).ResponseAsync);
    }

    [Fact]
    public async Task Publishing_the_bundled_version_again_is_an_idempotent_no_op()
    {
        var response = await host.Client.PublishVersionAsync(new PublishVersionRequest { PublishedBy = "it-retry", Files = { KnowledgeContent.Files() } });

        Assert.True(response.Duplicate);
        Assert.Equal(FromFiles.ContentHash, response.Version.ContentHash);
        Assert.Single((await host.Client.ListVersionsAsync(new ListVersionsRequest())).Versions);
    }

    [Fact]
    public async Task The_published_version_is_announced_on_rabbitmq()
    {
        var message = await host.NextAnnouncementAsync();

        Assert.Equal(FromFiles.Manifest.Version, message.GetProperty("knowledgeVersion").GetString());
        Assert.Equal(FromFiles.ContentHash, message.GetProperty("contentHash").GetString());
        Assert.Equal(FromFiles.RuleSet.Version, message.GetProperty("ruleSetVersion").GetString());
        Assert.Equal(FromFiles.RuleSet.ContentHash, message.GetProperty("ruleSetHash").GetString());
        Assert.Equal("knowledge-service:bundled-content", message.GetProperty("publishedBy").GetString());
    }

    internal static async Task<RpcException> AssertStatusAsync(StatusCode expected, Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(expected, error.StatusCode);
        return error;
    }
}
