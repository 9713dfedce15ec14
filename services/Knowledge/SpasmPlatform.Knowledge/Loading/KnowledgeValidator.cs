using System.Text.RegularExpressions;
using Google.Protobuf.Collections;
using SpasmPlatform.Common.V1;
using SpasmPlatform.Contracts.Versioning;
using SpasmPlatform.Knowledge.V1;
using SpasmPlatform.Triage.Findings;

namespace SpasmPlatform.Knowledge.Loading;

/// <summary>
/// The rules content must keep before it can decide anything about a patient: every item sourced, every source
/// known, every article cited, every code unique and resolvable, every finding predicate valid against the
/// submission contract. Each problem names the item it is about.
/// </summary>
internal sealed partial class KnowledgeValidator
{
    /// <summary>The serious pathologies the contract names; each must be defined and reachable by a rule.</summary>
    public static readonly IReadOnlyList<string> ContractSeriousConditions =
    [
        "cauda_equina_syndrome", "abdominal_aortic_aneurysm", "spinal_infection", "spinal_malignancy",
        "metastatic_spinal_cord_compression", "vertebral_fracture", "axial_spondyloarthritis", "progressive_neurological_deficit",
    ];

    /// <summary>The likely-cause codes the contract names; each needs a condition and a cause rule.</summary>
    public static readonly IReadOnlyList<string> ContractLikelyCauses =
    [
        "muscle_strain", "poor_posture", "overuse", "dehydration_electrolyte_imbalance", "emotional_stress",
        "nerve_root_compression", "degenerative_disc_disease", "spinal_stenosis", "myofascial_pain_syndrome",
        "immobilization_myalgia", "muscle_imbalance_deconditioning", "pregnancy_related_strain",
    ];

    private const string ArticlePrefix = "article:";

    private readonly List<string> _errors;
    private readonly Dictionary<string, Source> _sources = new(StringComparer.Ordinal);
    private readonly HashSet<string> _cited = new(StringComparer.Ordinal);
    private readonly FindingPredicateParser _parser = FindingPredicateParser.Submission;
    private readonly KnowledgeBase _knowledge;

    private KnowledgeValidator(KnowledgeBase knowledge, List<string> errors)
    {
        _knowledge = knowledge;
        _errors = errors;
    }

    public static void Validate(KnowledgeBase knowledge, List<string> errors)
    {
        var validator = new KnowledgeValidator(knowledge, errors);
        validator.ValidateManifest();
        validator.ValidateSources();
        validator.ValidateConditions();
        validator.ValidateInterventions();
        validator.ValidatePlanOrder();
        validator.ValidateSafetyWarnings();
        validator.ValidateRuleSet();
        validator.ValidateArticlesCited();
    }

    /// <summary>Citations name a source by id; the served copy carries the source's title too.</summary>
    public static void FillCitationTitles(KnowledgeBase knowledge)
    {
        var titles = knowledge.Sources.ToDictionary(s => s.Id, s => s.Title, StringComparer.Ordinal);
        foreach (var citation in Citations.All(knowledge))
        {
            citation.Title = titles[citation.SourceId];
        }
    }

    private void ValidateManifest()
    {
        if (!SemanticVersion.TryParse(_knowledge.Manifest.Version, out _))
        {
            Error($"manifest: version '{_knowledge.Manifest.Version}' is not a semantic version (MAJOR.MINOR.PATCH).");
        }
    }

    private void ValidateSources()
    {
        foreach (var (source, i) in _knowledge.Sources.Select((s, i) => (s, i)))
        {
            var at = $"sources[{i}] '{source.Id}'";
            if (string.IsNullOrWhiteSpace(source.Id))
            {
                Error($"sources[{i}]: id is required.");
                continue;
            }

            if (!_sources.TryAdd(source.Id, source))
            {
                Error($"{at}: duplicate source id.");
            }

            Require(source.Title, $"{at}: title");
            if (source.Kind == SourceKind.Unspecified)
            {
                Error($"{at}: kind is required.");
            }

            var isArticle = source.Id.StartsWith(ArticlePrefix, StringComparison.Ordinal);
            if (isArticle != (source.Kind == SourceKind.Article))
            {
                Error($"{at}: article sources (and only they) have ids 'article:<file name>' and kind SOURCE_KIND_ARTICLE.");
            }

            if (isArticle && !Sha256().IsMatch(source.Sha256))
            {
                Error($"{at}: an article source needs the file's sha256 (64 lower-case hex digits).");
            }
        }
    }

    private void ValidateArticlesCited()
    {
        foreach (var source in _sources.Values.Where(s => s.Kind == SourceKind.Article && !_cited.Contains(s.Id)))
        {
            Error($"source '{source.Id}': no item cites this article; every reference article must back at least one item.");
        }
    }

    /// <summary>At least one citation, each to a known source.</summary>
    private void Sources(RepeatedField<Citation> citations, string at)
    {
        if (citations.Count == 0)
        {
            Error($"{at}: has no sources; every item needs at least one.");
        }

        foreach (var citation in citations)
        {
            if (!_sources.TryGetValue(citation.SourceId, out var source))
            {
                Error($"{at}: cites unknown source '{citation.SourceId}'.");
                continue;
            }

            if (citation.Title.Length > 0 && citation.Title != source.Title)
            {
                Error($"{at}: citation title '{citation.Title}' differs from source '{source.Id}' ('{source.Title}'); omit it.");
            }

            _cited.Add(citation.SourceId);
        }
    }

    private FindingPredicate? Predicate(string text, string at)
    {
        try
        {
            return _parser.Parse(text);
        }
        catch (FindingPredicateException e)
        {
            Error($"{at}: {e.Message}");
            return null;
        }
    }

    private void Criterion(Criterion? criterion, string at, bool required)
    {
        if (criterion is null)
        {
            if (required)
            {
                Error($"{at}: is required.");
            }

            return;
        }

        try
        {
            CompiledCriterion.Compile(criterion, _parser, at);
        }
        catch (FindingPredicateException e)
        {
            Error(e.Message);
        }
    }

    private void Code(string code, string at)
    {
        if (!CodePattern().IsMatch(code))
        {
            Error($"{at}: code '{code}' must be lower_snake_case.");
        }
    }

    private void Require(string value, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Error($"{what} is required.");
        }
    }

    private void Unique(IEnumerable<string> codes, string what)
    {
        foreach (var duplicate in codes.GroupBy(c => c, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            Error($"{what} '{duplicate.Key}' is defined {duplicate.Count()} times.");
        }
    }

    private void Error(string message) => _errors.Add(message);

    [GeneratedRegex("^[a-z][a-z0-9]*(_[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex CodePattern();

    [GeneratedRegex("^[0-9a-f]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Sha256();
}
