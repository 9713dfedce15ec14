using SpasmPlatform.ServiceDefaults.Grpc;
using SpasmPlatform.Contracts.Versioning;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.Knowledge.Grpc;

/// <summary>
/// Argument checks for every KnowledgeService request, on the platform's <see cref="FieldRules"/> and this service's
/// own rules for versions and content bundles: each problem becomes a field violation, all reported at once.
/// </summary>
internal sealed class KnowledgeRequestValidators :
    IRequestValidator<GetRuleSetRequest>,
    IRequestValidator<ListConditionsRequest>,
    IRequestValidator<GetConditionRequest>,
    IRequestValidator<ListInterventionsRequest>,
    IRequestValidator<SearchRequest>,
    IRequestValidator<PublishVersionRequest>,
    IRequestValidator<GetKnowledgeBaseRequest>
{
    public const int DefaultLimit = 10;
    public const int MaxLimit = 100;
    public const int MaxBundleBytes = 8 * 1024 * 1024;

    public IEnumerable<FieldViolation> Validate(GetRuleSetRequest request)
    {
        var violations = new List<FieldViolation>();
        if (request.Version.Length > 0 && request.KnowledgeVersion.Length > 0)
        {
            violations.Add(new("version", "give either version (a rule-set version) or knowledge_version, not both"));
        }

        Version(violations, request.Version, "version");
        Version(violations, request.KnowledgeVersion, "knowledge_version");
        return violations;
    }

    public IEnumerable<FieldViolation> Validate(ListConditionsRequest request)
    {
        var violations = new List<FieldViolation>();
        Version(violations, request.Version, "version");
        violations.Defined(request.Kind, "kind");
        return violations;
    }

    public IEnumerable<FieldViolation> Validate(GetConditionRequest request)
    {
        var violations = new List<FieldViolation>();
        violations.Code(request.Code, "code", "condition");
        Version(violations, request.Version, "version");
        return violations;
    }

    public IEnumerable<FieldViolation> Validate(ListInterventionsRequest request)
    {
        var violations = new List<FieldViolation>();
        Version(violations, request.Version, "version");
        violations.Defined(request.Stance, "stance");
        return violations;
    }

    public IEnumerable<FieldViolation> Validate(SearchRequest request)
    {
        var violations = new List<FieldViolation>();
        violations.Text(request.Query, "query", FieldRules.MaxQueryLength);
        violations.PageSize(request.Limit, "limit", DefaultLimit, MaxLimit);
        violations.EachSpecified(request.Kinds, "kinds");
        Version(violations, request.Version, "version");
        return violations;
    }

    public IEnumerable<FieldViolation> Validate(PublishVersionRequest request)
    {
        // Who approved this content: the version's record names them.
        var violations = new List<FieldViolation>();
        violations.Id(request.PublishedBy, "published_by");
        if (request.Files.Count == 0)
        {
            violations.Add(new("files", "at least one content file is required"));
        }

        var paths = new HashSet<string>(StringComparer.Ordinal);
        long bytes = 0;
        for (var i = 0; i < request.Files.Count; i++)
        {
            var path = request.Files[i].Path;
            bytes += request.Files[i].Text.Length;
            if (path.Length == 0 || path.StartsWith('/') || path.Contains('\\') || path.Split('/').Contains("..") || !path.EndsWith(".yaml", StringComparison.Ordinal))
            {
                violations.Add(new($"files[{i}].path", "must be a relative *.yaml path inside the bundle (forward slashes, no '..')"));
            }
            else if (!paths.Add(path))
            {
                violations.Add(new($"files[{i}].path", $"'{path}' appears more than once"));
            }
        }

        if (bytes > MaxBundleBytes)
        {
            violations.Add(new("files", $"the bundle is larger than {MaxBundleBytes} characters"));
        }

        return violations;
    }

    public IEnumerable<FieldViolation> Validate(GetKnowledgeBaseRequest request)
    {
        var violations = new List<FieldViolation>();
        Version(violations, request.Version, "version");
        return violations;
    }

    private static void Version(List<FieldViolation> violations, string version, string field)
    {
        if (version.Length > 0 && !SemanticVersion.TryParse(version, out _))
        {
            violations.Add(new(field, $"'{version}' is not a semantic version (MAJOR.MINOR.PATCH); leave it empty for the current version"));
        }
    }
}
