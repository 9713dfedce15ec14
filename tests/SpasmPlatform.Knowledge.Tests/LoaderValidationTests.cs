using SpasmPlatform.Knowledge.Loading;

namespace SpasmPlatform.Knowledge.Tests;

/// <summary>Content that must not be used is refused, with a message naming the file or item and the problem.</summary>
public sealed class LoaderValidationTests
{
    private const string Sourced = "sources: [{source_id: NICE-NG59}]";

    [Fact]
    public void Unknown_field_is_reported_with_file_line_and_column()
    {
        var error = Assert.Single(BundledContent.Invalid(BundledContent.With("extra.yaml", "conditions:\n  - code: x_extra\n    urgncy: URGENCY_EMERGENCY\n")).Errors);
        Assert.StartsWith("extra.yaml:3:5:", error);
        Assert.Contains("Condition has no field 'urgncy'", error);
    }

    [Fact]
    public void Unknown_enum_value_lists_the_known_ones()
    {
        var errors = BundledContent.Invalid(BundledContent.With("extra.yaml", $"interventions:\n  - {{code: x_extra, name: X, summary: S, stance: STANCE_MAYBE, {Sourced}}}\n")).Errors;
        Assert.Contains(errors, e => e.StartsWith("extra.yaml:2:", StringComparison.Ordinal) && e.Contains("'STANCE_MAYBE' is not one of") && e.Contains("STANCE_NOT_RECOMMENDED"));
    }

    [Fact]
    public void Wrongly_typed_scalar_and_invalid_yaml_are_reported()
    {
        Assert.Contains(
            BundledContent.Invalid(BundledContent.With("extra.yaml", "safety_warnings:\n  - {code: x, text: t, sources: not-a-list}\n")).Errors,
            e => e.Contains("expected a list"));
        Assert.Contains(
            BundledContent.Invalid(BundledContent.With("extra.yaml", "conditions: [ {code: x\n")).Errors,
            e => e.StartsWith("extra.yaml:", StringComparison.Ordinal) && e.Contains("not valid YAML"));
    }

    // Found by the fuzzer: YamlDotNet throws InvalidOperationException (not YamlException) for this flow mapping.
    [Fact]
    public void Yaml_the_parser_itself_chokes_on_is_reported_as_invalid()
    {
        var errors = BundledContent.Invalid(BundledContent.With("extra.yaml", "conditions:\n  - code: x\n    risk_factors:\n      - text: t\n        sources:\n          - {{ource_id: \"article:a.txt\", locator: \"straps\"}\n    mechanisms:\n      - Prolonged static compression and lack of movement.\n    interventions: [staying_active]\n")).Errors;
        Assert.Contains(errors, e => e.StartsWith("extra.yaml:", StringComparison.Ordinal) && e.Contains("not valid YAML"));
    }

    [Fact]
    public void Unknown_finding_path_in_a_rule_fails_loading()
    {
        var files = BundledContent.Editing("rules.yaml", text => text.Replace("red_flags.saddle_anaesthesia", "red_flags.saddle_anesthesia", StringComparison.Ordinal));
        var errors = BundledContent.Invalid(files).Errors;
        Assert.Contains(errors, e => e.Contains("RedFlags has no field 'saddle_anesthesia'"));
    }

    [Fact]
    public void Unknown_enum_value_in_a_predicate_fails_loading()
    {
        var errors = BundledContent.Invalid(BundledContent.With("extra.yaml",
            $"conditions:\n  - code: x_extra\n    name: X\n    kind: CONDITION_KIND_OTHER\n    summary: S\n    {Sourced}\n    risk_factors:\n      - {{text: t, when: 'risk_factors contains RISK_FACTOR_SMOKING', {Sourced}}}\n")).Errors;
        Assert.Contains(errors, e => e.Contains("condition 'x_extra' risk_factors[0] when") && e.Contains("'RISK_FACTOR_SMOKING' is not a value of RiskFactor"));
    }

    [Fact]
    public void Items_without_sources_and_unknown_sources_are_refused()
    {
        var errors = BundledContent.Invalid(BundledContent.With("extra.yaml",
            "interventions:\n  - {code: x_one, name: X, summary: S, stance: STANCE_CONSIDER}\n  - {code: x_two, name: Y, summary: S, stance: STANCE_CONSIDER, sources: [{source_id: NOPE-1}]}\n")).Errors;
        Assert.Contains("intervention 'x_one': has no sources; every item needs at least one.", errors);
        Assert.Contains("intervention 'x_two': cites unknown source 'NOPE-1'.", errors);
    }

    [Fact]
    public void An_article_nobody_cites_is_refused()
    {
        var files = BundledContent.With("extra.yaml",
            "sources:\n  - {id: 'article:999_unused.txt', title: Unused, kind: SOURCE_KIND_ARTICLE, sha256: " + new string('a', 64) + "}\n");
        Assert.Contains("source 'article:999_unused.txt': no item cites this article; every reference article must back at least one item.", BundledContent.Invalid(files).Errors);
    }

    [Fact]
    public void Duplicate_codes_and_a_second_manifest_are_refused()
    {
        var errors = BundledContent.Invalid(BundledContent.With("extra.yaml",
            $"manifest: {{version: 9.9.9}}\ninterventions:\n  - {{code: staying_active, name: X, summary: S, stance: STANCE_CONSIDER, {Sourced}}}\n")).Errors;
        Assert.Contains(errors, e => e.Contains("manifest is already defined"));
    }

    [Fact]
    public void Duplicate_intervention_code_is_refused()
    {
        var errors = BundledContent.Invalid(BundledContent.With("extra.yaml",
            $"interventions:\n  - {{code: staying_active, name: X, summary: S, stance: STANCE_CONSIDER, {Sourced}}}\n")).Errors;
        Assert.Contains("intervention 'staying_active' is defined 2 times.", errors);
    }

    [Fact]
    public void A_serious_pathology_no_rule_can_suspect_is_refused()
    {
        var errors = BundledContent.Invalid(BundledContent.With("extra.yaml",
            $"conditions:\n  - {{code: x_serious, name: X, kind: CONDITION_KIND_SERIOUS_PATHOLOGY, urgency: URGENCY_SAME_DAY, action: A, summary: S, {Sourced}}}\n")).Errors;
        Assert.Contains("condition 'x_serious': no red-flag rule (or NG65 rule) suspects this serious pathology.", errors);
    }

    [Fact]
    public void Loader_computed_fields_cannot_be_supplied()
    {
        Assert.Contains(
            BundledContent.Invalid(BundledContent.With("extra.yaml", "content_hash: sha256:00\n")).Errors,
            e => e.Contains("content_hash is computed by the loader"));
    }

    [Fact]
    public void Missing_manifest_and_rule_set_are_reported()
    {
        var files = BundledContent.Files().Where(f => f.Path is not ("manifest.yaml" or "rules.yaml")).ToList();
        var errors = BundledContent.Invalid(files).Errors;
        Assert.Contains(errors, e => e.StartsWith("No file defines the manifest", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("No file defines the rule_set", StringComparison.Ordinal));
    }

    [Fact]
    public void Paths_outside_the_bundle_are_refused()
    {
        Assert.Contains(
            BundledContent.Invalid(BundledContent.With("../escape.yaml", "sources: []\n")).Errors,
            e => e.StartsWith("../escape.yaml: content files are relative", StringComparison.Ordinal));
    }

    [Fact]
    public void Changing_a_rule_changes_the_rule_set_hash_but_a_text_edit_elsewhere_does_not()
    {
        var original = KnowledgeLoader.Load(BundledContent.Files());
        var ruleEdit = KnowledgeLoader.Load(BundledContent.Editing("rules.yaml", t => t.Replace("cause_report_threshold:", "cause_report_threshold: 0.2999\n  # replaced:", StringComparison.Ordinal)));
        var textEdit = KnowledgeLoader.Load(BundledContent.With("extra.yaml",
            $"safety_warnings:\n  - {{code: x_extra_warning, text: Extra, {Sourced}}}\n"));

        Assert.NotEqual(original.RuleSet.ContentHash, ruleEdit.RuleSet.ContentHash);
        Assert.Equal(original.RuleSet.ContentHash, textEdit.RuleSet.ContentHash);
        Assert.NotEqual(original.ContentHash, textEdit.ContentHash);
    }
}
