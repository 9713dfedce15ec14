using Google.Rpc;
using Npgsql;
using Grpc.Core;
using SpasmPlatform.IntegrationTests.Infrastructure;
using SpasmPlatform.Knowledge.Loading;
using SpasmPlatform.Knowledge.V1;
using StatusCode = Grpc.Core.StatusCode;

namespace SpasmPlatform.IntegrationTests.Knowledge;

/// <summary>New versions are added without losing old ones: replays need the exact old content.</summary>
public sealed class KnowledgePublishingTests(KnowledgeHost host) : IClassFixture<KnowledgeHost>
{
    private static readonly KnowledgeBase Bundled = KnowledgeLoader.LoadDirectory(KnowledgeContent.Directory);

    [Fact]
    public async Task A_new_version_becomes_current_while_the_old_one_stays_served_exactly()
    {
        var response = await host.Client.PublishVersionAsync(new PublishVersionRequest
        {
            PublishedBy = "physio-lead-7",
            Files = { KnowledgeContent.Versioned("77.1.0", ruleSetVersion: "77.1.0", causeThreshold: "0.31") },
        });
        Assert.False(response.Duplicate);
        Assert.Equal("77.1.0", response.Version.Version);
        Assert.Equal("physio-lead-7", response.Version.PublishedBy);

        var versions = await host.Client.ListVersionsAsync(new ListVersionsRequest());
        Assert.Equal("77.1.0", versions.CurrentVersion);
        Assert.Equal(["77.1.0", Bundled.Manifest.Version], versions.Versions.Select(v => v.Version));

        var current = await host.Client.GetRuleSetAsync(new GetRuleSetRequest());
        Assert.Equal(0.31, current.CauseReportThreshold);
        Assert.Equal("77.1.0", current.KnowledgeVersion);

        // The pinned old version is still served, byte for byte.
        Assert.Equal(Bundled.RuleSet, await host.Client.GetRuleSetAsync(new GetRuleSetRequest { Version = Bundled.RuleSet.Version }));
        Assert.Equal(Bundled.RuleSet, await host.Client.GetRuleSetAsync(new GetRuleSetRequest { KnowledgeVersion = Bundled.Manifest.Version }));
        Assert.Equal(Bundled, await host.Client.GetKnowledgeBaseAsync(new GetKnowledgeBaseRequest { Version = Bundled.Manifest.Version }));

        // Search answers for either version.
        var old = await host.Client.SearchAsync(new SearchRequest { Query = "numb saddle area", Version = Bundled.Manifest.Version });
        Assert.Equal("cauda_equina_syndrome", old.Hits[0].Code);
        Assert.Equal(Bundled.Manifest.Version, old.KnowledgeVersion);

        // Its announcement follows the start-up one, in order.
        Assert.Equal(Bundled.Manifest.Version, (await host.NextAnnouncementAsync()).GetProperty("knowledgeVersion").GetString());
        var announced = await host.NextAnnouncementAsync();
        Assert.Equal("77.1.0", announced.GetProperty("knowledgeVersion").GetString());
        Assert.Equal("physio-lead-7", announced.GetProperty("publishedBy").GetString());
    }

    [Fact]
    public async Task A_published_version_number_cannot_be_reused_for_other_content()
    {
        var error = await KnowledgeServiceTests.AssertStatusAsync(StatusCode.AlreadyExists, () => host.Client.PublishVersionAsync(new PublishVersionRequest
        {
            PublishedBy = "it",
            Files = { KnowledgeContent.Versioned(Bundled.Manifest.Version, ruleSetVersion: "78.0.0", causeThreshold: "0.33") },
        }).ResponseAsync);
        Assert.Contains("already published with other content", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(Bundled.ContentHash, (await host.Client.GetKnowledgeBaseAsync(new GetKnowledgeBaseRequest { Version = Bundled.Manifest.Version })).ContentHash);
    }

    [Fact]
    public async Task Changed_rules_under_a_published_rule_set_version_are_refused_and_nothing_is_stored()
    {
        var before = await CountEventsAsync();
        var error = await KnowledgeServiceTests.AssertStatusAsync(StatusCode.AlreadyExists, () => host.Client.PublishVersionAsync(new PublishVersionRequest
        {
            PublishedBy = "it",
            Files = { KnowledgeContent.Versioned("79.0.0", causeThreshold: "0.34") },
        }).ResponseAsync);

        Assert.Contains($"Rule set {Bundled.RuleSet.Version} is already published with other rules", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(before, await CountEventsAsync());
        Assert.DoesNotContain((await host.Client.ListVersionsAsync(new ListVersionsRequest())).Versions, v => v.Version == "79.0.0");
    }

    [Fact]
    public async Task Invalid_content_is_refused_with_every_problem_and_nothing_is_stored()
    {
        var before = await CountEventsAsync();
        var files = KnowledgeContent.Versioned("80.0.0", ruleSetVersion: "80.0.0");
        files.Add(new ContentFile { Path = "broken.yaml", Text = "interventions:\n  - {code: broken_one, name: B, summary: S, stance: STANCE_CONSIDER}\n  - {code: broken_two, name: B, summary: S, stance: STANCE_CONSIDER, sources: [{source_id: NOWHERE}]}\n" });

        var error = await KnowledgeServiceTests.AssertStatusAsync(StatusCode.InvalidArgument, () =>
            host.Client.PublishVersionAsync(new PublishVersionRequest { PublishedBy = "it", Files = { files } }).ResponseAsync);

        var violations = error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations.Select(v => v.Description).ToList();
        Assert.Contains("intervention 'broken_one': has no sources; every item needs at least one.", violations);
        Assert.Contains("intervention 'broken_two': cites unknown source 'NOWHERE'.", violations);
        Assert.Equal(before, await CountEventsAsync());
    }

    [Fact]
    public async Task Publish_requests_are_checked_before_any_content_is_read()
    {
        var error = await KnowledgeServiceTests.AssertStatusAsync(StatusCode.InvalidArgument, () => host.Client.PublishVersionAsync(new PublishVersionRequest
        {
            Files = { new ContentFile { Path = "../outside.yaml", Text = "x: 1" }, new ContentFile { Path = "a.yaml" }, new ContentFile { Path = "a.yaml" } },
        }).ResponseAsync);

        Assert.Equal(["published_by", "files[0].path", "files[2].path"], error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations.Select(v => v.Field));
    }

    private async Task<long> CountEventsAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(Platform.Postgres);
        await using var command = dataSource.CreateCommand($"SELECT count(*) FROM {host.Schema}.mt_events");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
