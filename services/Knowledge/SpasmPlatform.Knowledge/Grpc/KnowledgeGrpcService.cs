using Grpc.Core;
using SpasmPlatform.ServiceDefaults.Grpc;
using SpasmPlatform.ServiceDefaults;
using SpasmPlatform.Knowledge.Domain;
using SpasmPlatform.Knowledge.Infrastructure;
using SpasmPlatform.Knowledge.Loading;
using SpasmPlatform.Knowledge.V1;
using Status = Grpc.Core.Status;
using StatusCode = Grpc.Core.StatusCode;

namespace SpasmPlatform.Knowledge.Grpc;

/// <summary>spasm.knowledge.v1.KnowledgeService. Requests are already validated (see KnowledgeRequestValidators).</summary>
internal sealed class KnowledgeGrpcService(
    KnowledgeRepository repository,
    KnowledgeSearch search,
    KnowledgeBootstrapper bootstrapper) : KnowledgeService.KnowledgeServiceBase
{

    public override Task<RuleSet> GetRuleSet(GetRuleSetRequest request, ServerCallContext context) => Guarded(async cancellationToken =>
    {
        if (request.Version.Length > 0)
        {
            var holder = await repository.FindByRuleSetAsync(request.Version, cancellationToken).ConfigureAwait(false)
                ?? throw new KnowledgeNotFoundException($"Rule set version '{request.Version}' is not published.");
            var knowledge = await repository.LoadAsync(holder.Version, cancellationToken).ConfigureAwait(false);
            return knowledge.RuleSet;
        }

        return (await ResolveAsync(request.KnowledgeVersion, cancellationToken).ConfigureAwait(false)).RuleSet;
    }, context);

    public override Task<ListConditionsResponse> ListConditions(ListConditionsRequest request, ServerCallContext context) => Guarded(async cancellationToken =>
    {
        var knowledge = await ResolveAsync(request.Version, cancellationToken).ConfigureAwait(false);
        var response = new ListConditionsResponse { KnowledgeVersion = knowledge.Manifest.Version };
        response.Conditions.Add(knowledge.Conditions.Where(c => request.Kind == ConditionKind.Unspecified || c.Kind == request.Kind));
        return response;
    }, context);

    public override Task<Condition> GetCondition(GetConditionRequest request, ServerCallContext context) => Guarded(async cancellationToken =>
    {
        var knowledge = await ResolveAsync(request.Version, cancellationToken).ConfigureAwait(false);
        return knowledge.Conditions.FirstOrDefault(c => c.Code == request.Code)
            ?? throw new KnowledgeNotFoundException($"Knowledge version {knowledge.Manifest.Version} has no condition '{request.Code}'.");
    }, context);

    public override Task<ListInterventionsResponse> ListInterventions(ListInterventionsRequest request, ServerCallContext context) => Guarded(async cancellationToken =>
    {
        var knowledge = await ResolveAsync(request.Version, cancellationToken).ConfigureAwait(false);
        var response = new ListInterventionsResponse { KnowledgeVersion = knowledge.Manifest.Version };
        response.Interventions.Add(knowledge.Interventions.Where(i => request.Stance == Stance.Unspecified || i.Stance == request.Stance));
        return response;
    }, context);

    public override Task<SearchResponse> Search(SearchRequest request, ServerCallContext context) => Guarded(async cancellationToken =>
    {
        var version = await ResolveVersionAsync(request.Version, cancellationToken).ConfigureAwait(false);
        var limit = request.Limit == 0 ? KnowledgeRequestValidators.DefaultLimit : request.Limit;
        var response = new SearchResponse { KnowledgeVersion = version };
        response.Hits.Add(await search.SearchAsync(version, request.Query, limit, request.Kinds.ToList(), cancellationToken).ConfigureAwait(false));
        return response;
    }, context);

    public override Task<ListVersionsResponse> ListVersions(ListVersionsRequest request, ServerCallContext context) => Guarded(async cancellationToken =>
    {
        var versions = await repository.ListVersionsAsync(cancellationToken).ConfigureAwait(false);
        var response = new ListVersionsResponse { CurrentVersion = versions.FirstOrDefault()?.Version ?? string.Empty };
        response.Versions.Add(versions);
        return response;
    }, context);

    public override Task<PublishVersionResponse> PublishVersion(PublishVersionRequest request, ServerCallContext context) => Guarded(async cancellationToken =>
    {
        var files = request.Files.Select(f => new ContentFileText(f.Path, f.Text)).ToList();
        var knowledge = KnowledgeLoader.Load(files);
        var correlationId = CorrelationIds.For(context);
        var (version, duplicate) = await repository.PublishAsync(knowledge, files, request.PublishedBy, correlationId, cancellationToken).ConfigureAwait(false);
        return new PublishVersionResponse { Version = version, Duplicate = duplicate };
    }, context);

    public override Task<KnowledgeBase> GetKnowledgeBase(GetKnowledgeBaseRequest request, ServerCallContext context) =>
        Guarded(cancellationToken => ResolveAsync(request.Version, cancellationToken), context);

    private async Task<KnowledgeBase> ResolveAsync(string version, CancellationToken cancellationToken) =>
        await repository.LoadAsync(await ResolveVersionAsync(version, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>An explicit version must exist; none means the current (highest) one.</summary>
    private async Task<string> ResolveVersionAsync(string version, CancellationToken cancellationToken)
    {
        if (version.Length > 0)
        {
            return (await repository.FindVersionAsync(version, cancellationToken).ConfigureAwait(false))?.Version
                ?? throw new KnowledgeNotFoundException($"Knowledge version '{version}' is not published.");
        }

        var versions = await repository.ListVersionsAsync(cancellationToken).ConfigureAwait(false);
        return versions.FirstOrDefault()?.Version ?? throw new KnowledgeNotFoundException("No knowledge version is published yet.");
    }

    private async Task<T> Guarded<T>(Func<CancellationToken, Task<T>> action, ServerCallContext context)
    {
        if (!bootstrapper.IsReady)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "The knowledge base is starting; retry shortly."));
        }

        try
        {
            return await action(context.CancellationToken).ConfigureAwait(false);
        }
        catch (KnowledgeNotFoundException e)
        {
            throw new RpcException(new Status(StatusCode.NotFound, e.Message));
        }
        catch (KnowledgeConflictException e)
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists, e.Message));
        }
        catch (KnowledgeValidationException e)
        {
            throw RichErrors.InvalidArgument(
                $"The knowledge content is invalid ({e.Errors.Count} problem(s)).",
                e.Errors.Select(error => ("files", error)));
        }
    }
}
