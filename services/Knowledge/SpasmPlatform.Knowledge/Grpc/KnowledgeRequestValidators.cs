using Grpc.Core;
using SpasmPlatform.ServiceDefaults.Grpc;
using SpasmPlatform.Contracts.Versioning;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.Knowledge.Grpc;

/// <summary>Argument checks for every KnowledgeService request: each problem becomes a field violation.</summary>
internal sealed class KnowledgeRequestValidators :
    IRequestValidator<GetRuleSetRequest>,
    IRequestValidator<ListConditionsRequest>,
    IRequestValidator<GetConditionRequest>,
    IRequestValidator<ListInterventionsRequest>,
    IRequestValidator<SearchRequest>,
    IRequestValidator<PublishVersionRequest>,
    IRequestValidator<GetKnowledgeBaseRequest>
{
    public const int MaxQueryLength = 500;
    public const int MaxLimit = 100;
    public const int MaxBundleBytes = 8 * 1024 * 1024;

    public IEnumerable<FieldViolation> Validate(GetRuleSetRequest request)
    {
        if (request.Version.Length > 0 && request.KnowledgeVersion.Length > 0)
        {
            yield return new FieldViolation("version", "give either version (a rule-set version) or knowledge_version, not both");
        }

        foreach (var violation in Version(request.Version, "version").Concat(Version(request.KnowledgeVersion, "knowledge_version")))
        {
            yield return violation;
        }
    }

    public IEnumerable<FieldViolation> Validate(ListConditionsRequest request) =>
        Version(request.Version, "version").Concat(Defined(request.Kind, "kind"));

    public IEnumerable<FieldViolation> Validate(GetConditionRequest request)
    {
        if (request.Code.Length == 0)
        {
            yield return new FieldViolation("code", "is required");
        }
        else if (request.Code.Length > 100 || !request.Code.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
        {
            yield return new FieldViolation("code", "must be a lower_snake_case condition code");
        }

        foreach (var violation in Version(request.Version, "version"))
        {
            yield return violation;
        }
    }

    public IEnumerable<FieldViolation> Validate(ListInterventionsRequest request) =>
        Version(request.Version, "version").Concat(Defined(request.Stance, "stance"));

    public IEnumerable<FieldViolation> Validate(SearchRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Query))
        {
            yield return new FieldViolation("query", "is required");
        }
        else if (request.Query.Length > MaxQueryLength)
        {
            yield return new FieldViolation("query", $"must be at most {MaxQueryLength} characters");
        }

        if (request.Limit is < 0 or > MaxLimit)
        {
            yield return new FieldViolation("limit", $"must be between 0 (default 10) and {MaxLimit}");
        }

        for (var i = 0; i < request.Kinds.Count; i++)
        {
            if (request.Kinds[i] == SearchItemKind.Unspecified || !Enum.IsDefined(request.Kinds[i]))
            {
                yield return new FieldViolation($"kinds[{i}]", "must be a defined kind other than UNSPECIFIED");
            }
        }

        foreach (var violation in Version(request.Version, "version"))
        {
            yield return violation;
        }
    }

    public IEnumerable<FieldViolation> Validate(PublishVersionRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.PublishedBy))
        {
            yield return new FieldViolation("published_by", "is required: who approved this content");
        }

        if (request.Files.Count == 0)
        {
            yield return new FieldViolation("files", "at least one content file is required");
        }

        var paths = new HashSet<string>(StringComparer.Ordinal);
        long bytes = 0;
        for (var i = 0; i < request.Files.Count; i++)
        {
            var path = request.Files[i].Path;
            bytes += request.Files[i].Text.Length;
            if (path.Length == 0 || path.StartsWith('/') || path.Contains('\\') || path.Split('/').Contains("..") || !path.EndsWith(".yaml", StringComparison.Ordinal))
            {
                yield return new FieldViolation($"files[{i}].path", "must be a relative *.yaml path inside the bundle (forward slashes, no '..')");
            }
            else if (!paths.Add(path))
            {
                yield return new FieldViolation($"files[{i}].path", $"'{path}' appears more than once");
            }
        }

        if (bytes > MaxBundleBytes)
        {
            yield return new FieldViolation("files", $"the bundle is larger than {MaxBundleBytes} characters");
        }
    }

    public IEnumerable<FieldViolation> Validate(GetKnowledgeBaseRequest request) => Version(request.Version, "version");

    private static IEnumerable<FieldViolation> Version(string version, string field)
    {
        if (version.Length > 0 && !SemanticVersion.TryParse(version, out _))
        {
            yield return new FieldViolation(field, $"'{version}' is not a semantic version (MAJOR.MINOR.PATCH); leave it empty for the current version");
        }
    }

    private static IEnumerable<FieldViolation> Defined<TEnum>(TEnum value, string field)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            yield return new FieldViolation(field, $"{Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)} is not a defined value");
        }
    }
}
