using SpasmPlatform.Common.V1;
using SpasmPlatform.Knowledge.Loading;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.Knowledge.Tests;

/// <summary>The shipped knowledge base passes every validation and holds what the contract and guidance require.</summary>
public sealed class BundledContentTests
{
    private static readonly KnowledgeBase Knowledge = KnowledgeLoader.LoadDirectory(BundledContent.Directory);

    [Fact]
    public void Loads_with_a_semantic_version_and_hashes()
    {
        Assert.Matches(@"^\d+\.\d+\.\d+$", Knowledge.Manifest.Version);
        Assert.Matches("^sha256:[0-9a-f]{64}$", Knowledge.ContentHash);
        Assert.Matches("^sha256:[0-9a-f]{64}$", Knowledge.RuleSet.ContentHash);
        Assert.Equal(Knowledge.Manifest.Version, Knowledge.RuleSet.KnowledgeVersion);
    }

    [Fact]
    public void Every_reference_article_is_a_source_with_its_fingerprint_and_is_cited()
    {
        var articles = Knowledge.Sources.Where(s => s.Kind == SourceKind.Article).ToList();
        Assert.Equal(
            ["article:000_f52c5d971f1dbfe9.txt", "article:001_9ecccdeb684c12ad.txt", "article:002_82e9ccc5ddd720b6.txt", "article:003_af397698c6f6c937.txt", "article:004_691b68c27208724d.txt"],
            articles.Select(a => a.Id).Order(StringComparer.Ordinal));
        var cited = Citations.All(Knowledge).Select(c => c.SourceId).ToHashSet();
        Assert.All(articles, a => Assert.Contains(a.Id, cited));
    }

    [Fact]
    public void Every_citation_carries_its_source_title()
    {
        var titles = Knowledge.Sources.ToDictionary(s => s.Id, s => s.Title);
        Assert.All(Citations.All(Knowledge), c => Assert.Equal(titles[c.SourceId], c.Title));
    }

    [Fact]
    public void Every_serious_pathology_of_the_contract_is_defined_with_urgency_and_action()
    {
        foreach (var code in KnowledgeValidator.ContractSeriousConditions)
        {
            var condition = Assert.Single(Knowledge.Conditions, c => c.Code == code);
            Assert.Equal(ConditionKind.SeriousPathology, condition.Kind);
            Assert.NotEqual(Urgency.Unspecified, condition.Urgency);
            Assert.NotEmpty(condition.Action);
            Assert.NotEmpty(condition.Findings);
        }
    }

    [Theory]
    [InlineData("spondylolisthesis")]
    [InlineData("facet_joint_osteoarthritis")]
    [InlineData("pain_spasm_pain_cycle")]
    [InlineData("dehydration_electrolyte_imbalance")]
    [InlineData("myofascial_pain_syndrome")]
    public void Causes_and_mechanisms_the_articles_describe_are_defined(string code) =>
        Assert.Single(Knowledge.Conditions, c => c.Code == code);

    [Fact]
    public void Every_likely_cause_of_the_contract_has_a_condition_and_exactly_one_cause_rule()
    {
        foreach (var code in KnowledgeValidator.ContractLikelyCauses)
        {
            Assert.Single(Knowledge.Conditions, c => c.Code == code);
            Assert.Single(Knowledge.RuleSet.CauseRules, r => r.CauseCode == code);
        }
    }

    [Theory]
    [InlineData("paracetamol_alone", Stance.NotRecommended)]
    [InlineData("opioids_for_chronic_pain", Stance.NotRecommended)]
    [InlineData("gabapentinoids_for_sciatica", Stance.NotRecommended)]
    [InlineData("benzodiazepines_for_sciatica", Stance.NotRecommended)]
    [InlineData("acupuncture", Stance.NotRecommended)]
    [InlineData("traction", Stance.NotRecommended)]
    [InlineData("tens", Stance.NotRecommended)]
    [InlineData("staying_active", Stance.Recommended)]
    public void Interventions_carry_the_guideline_stance(string code, Stance stance) =>
        Assert.Equal(stance, Assert.Single(Knowledge.Interventions, i => i.Code == code).Stance);

    [Fact]
    public void Unsupported_article_claims_record_the_article_and_the_guidance_that_wins()
    {
        var claims = Knowledge.Interventions.SelectMany(i => i.Claims).Concat(Knowledge.Conditions.SelectMany(c => c.Claims)).ToList();
        Assert.NotEmpty(claims);
        Assert.All(claims, claim =>
        {
            Assert.All(claim.Sources, s => Assert.StartsWith("article:", s.SourceId));
            Assert.NotEmpty(claim.GuidelineSources);
            Assert.NotEqual(Stance.Unspecified, claim.GuidelineStance);
        });
        foreach (var code in new[] { "pharmacopuncture", "vacuum_therapy", "epsom_salts" })
        {
            var intervention = Assert.Single(Knowledge.Interventions, i => i.Code == code);
            Assert.NotEqual(Stance.Recommended, intervention.Stance);
            Assert.NotEmpty(intervention.Claims);
        }
    }

    [Fact]
    public void Nsaid_contraindications_are_machine_checkable()
    {
        var nsaids = Assert.Single(Knowledge.Interventions, i => i.Code == "nsaids");
        var when = nsaids.ContraindicationRules.Select(r => r.When).ToList();
        Assert.Contains("comorbidities contains COMORBIDITY_GI_ULCER_OR_BLEED", when);
        Assert.Contains("comorbidities contains COMORBIDITY_RENAL_IMPAIRMENT", when);
    }

    [Fact]
    public void Every_serious_pathology_is_reachable_by_a_rule_and_emergencies_act_now()
    {
        var reachable = Knowledge.RuleSet.RedFlagRules.Select(r => r.ConditionCode).Append(Knowledge.RuleSet.Ng65.ConditionCode).ToHashSet();
        Assert.All(KnowledgeValidator.ContractSeriousConditions, code => Assert.Contains(code, reachable));
        Assert.All(Knowledge.RuleSet.RedFlagRules.Where(r => r.Urgency == Urgency.Emergency), r => Assert.Equal(0, r.ActWithinMinutes));
        Assert.Contains(Knowledge.RuleSet.RedFlagRules, r => r.ConditionCode == "cauda_equina_syndrome" && r.Urgency == Urgency.Emergency);
    }

    [Fact]
    public void Start_back_items_follow_the_keele_tool()
    {
        var startBack = Knowledge.RuleSet.StartBack;
        Assert.Equal(Enumerable.Range(1, 9), startBack.Items.Select(i => i.Number).Order());
        Assert.Equal([5, 6, 7, 8, 9], startBack.Items.Where(i => i.Psychosocial).Select(i => i.Number).Order());
        Assert.Equal(3, startBack.LowRiskMaxTotal);
        Assert.Equal(4, startBack.HighRiskMinPsychosocial);
        Assert.Contains("BOTHERSOMENESS_VERY_MUCH", startBack.Items.Single(i => i.Number == 9).When);
        Assert.DoesNotContain("BOTHERSOMENESS_MODERATELY", startBack.Items.Single(i => i.Number == 9).When);
    }

    [Fact]
    public void Loading_twice_gives_the_same_hashes()
    {
        var again = KnowledgeLoader.LoadDirectory(BundledContent.Directory);
        Assert.Equal(Knowledge.ContentHash, again.ContentHash);
        Assert.Equal(Knowledge.RuleSet.ContentHash, again.RuleSet.ContentHash);
        Assert.Equal(Knowledge, again);
    }
}
