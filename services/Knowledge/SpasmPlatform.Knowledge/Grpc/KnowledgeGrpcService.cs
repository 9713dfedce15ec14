using Grpc.Core;
using SpasmPlatform.ServiceDefaults;
using SpasmPlatform.Knowledge.Domain;
using SpasmPlatform.Knowledge.Infrastructure;
using SpasmPlatform.Knowledge.Loading;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.Knowledge.Grpc;

/// <summary>
/// spasm.knowledge.v1.KnowledgeService. Requests are already validated (see KnowledgeRequestValidators); the
/// exceptions thrown here become statuses through the service's error map (see Extensions.cs).
/// </summary>
internal sealed class KnowledgeGrpcService(
    KnowledgeRepository repository,
    KnowledgeSearch search) : KnowledgeService.KnowledgeServiceBase
{
    public override async Task<RuleSet> GetRuleSet(GetRuleSetRequest request, ServerCallContext context)
    {
        if (request.Version.Length > 0)
        {
            var holder = await repository.FindByRuleSetAsync(request.Version, context.CancellationToken)
                ?? throw new KnowledgeNotFoundException($"Rule set version '{request.Version}' is not published.");
            var knowledge = await repository.LoadAsync(holder.Version, context.CancellationToken);
            return knowledge.RuleSet;
        }

        return (await ResolveAsync(request.KnowledgeVersion, context.CancellationToken)).RuleSet;
    }

    public override async Task<ListConditionsResponse> ListConditions(ListConditionsRequest request, ServerCallContext context)
    {
        var knowledge = await ResolveAsync(request.Version, context.CancellationToken);
        var response = new ListConditionsResponse { KnowledgeVersion = knowledge.Manifest.Version };
        response.Conditions.Add(knowledge.Conditions.Where(c => request.Kind == ConditionKind.Unspecified || c.Kind == request.Kind));
        return response;
    }

    public override async Task<Condition> GetCondition(GetConditionRequest request, ServerCallContext context)
    {
        var knowledge = await ResolveAsync(request.Version, context.CancellationToken);
        return knowledge.Conditions.FirstOrDefault(c => c.Code == request.Code)
            ?? throw new KnowledgeNotFoundException($"Knowledge version {knowledge.Manifest.Version} has no condition '{request.Code}'.");
    }

    public override async Task<ListInterventionsResponse> ListInterventions(ListInterventionsRequest request, ServerCallContext context)
    {
        var knowledge = await ResolveAsync(request.Version, context.CancellationToken);
        var response = new ListInterventionsResponse { KnowledgeVersion = knowledge.Manifest.Version };
        response.Interventions.Add(knowledge.Interventions.Where(i => request.Stance == Stance.Unspecified || i.Stance == request.Stance));
        return response;
    }

    public override async Task<SearchResponse> Search(SearchRequest request, ServerCallContext context)
    {
        var version = await ResolveVersionAsync(request.Version, context.CancellationToken);
        var limit = request.Limit == 0 ? KnowledgeRequestValidators.DefaultLimit : request.Limit;
        var response = new SearchResponse { KnowledgeVersion = version };
        response.Hits.Add(await search.SearchAsync(version, request.Query, limit, request.Kinds.ToList(), context.CancellationToken));
        return response;
    }

    public override async Task<ListVersionsResponse> ListVersions(ListVersionsRequest request, ServerCallContext context)
    {
        var versions = await repository.ListVersionsAsync(context.CancellationToken);
        var response = new ListVersionsResponse { CurrentVersion = versions.FirstOrDefault()?.Version ?? string.Empty };
        response.Versions.Add(versions);
        return response;
    }

    public override async Task<PublishVersionResponse> PublishVersion(PublishVersionRequest request, ServerCallContext context)
    {
        var files = request.Files.Select(f => new ContentFileText(f.Path, f.Text)).ToList();
        var knowledge = KnowledgeLoader.Load(files);
        var correlationId = CorrelationIds.For(context);
        var (version, duplicate) = await repository.PublishAsync(knowledge, files, request.PublishedBy, correlationId, context.CancellationToken);
        return new PublishVersionResponse { Version = version, Duplicate = duplicate };
    }

    public override Task<KnowledgeBase> GetKnowledgeBase(GetKnowledgeBaseRequest request, ServerCallContext context) =>
        ResolveAsync(request.Version, context.CancellationToken);

    private async Task<KnowledgeBase> ResolveAsync(string version, CancellationToken cancellationToken) =>
        await repository.LoadAsync(await ResolveVersionAsync(version, cancellationToken), cancellationToken);

    /// <summary>An explicit version must exist; none means the current (highest) one.</summary>
    private async Task<string> ResolveVersionAsync(string version, CancellationToken cancellationToken)
    {
        if (version.Length > 0)
        {
            return (await repository.FindVersionAsync(version, cancellationToken))?.Version
                ?? throw new KnowledgeNotFoundException($"Knowledge version '{version}' is not published.");
        }

        var versions = await repository.ListVersionsAsync(cancellationToken);
        return versions.FirstOrDefault()?.Version ?? throw new KnowledgeNotFoundException("No knowledge version is published yet.");
    }
}
