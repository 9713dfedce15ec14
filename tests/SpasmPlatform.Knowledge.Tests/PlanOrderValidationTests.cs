using SpasmPlatform.Knowledge.Loading;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.Knowledge.Tests;

/// <summary>
/// How a plan orders its interventions (plan_order) and which intervention waits for another (second_line) are
/// content from 1.3.0; the validator refuses an order or a relation a plan could not follow, naming the item.
/// </summary>
public sealed class PlanOrderValidationTests
{
    private const string PlanOrderFile = "plan_order.yaml";
    private const string Supported = "interventions/supported.yaml";
    private const string NotSupported = "interventions/not_supported.yaml";
    private const string AcuteList = "[cold_therapy, epsom_salts, heat_therapy, nsaids, weak_opioids, muscle_relaxants]";

    [Fact]
    public void The_shipped_content_orders_every_plannable_intervention_once_and_puts_a_weak_opioid_after_an_nsaid()
    {
        var knowledge = KnowledgeLoader.Load(BundledContent.Files());

        Assert.Equal([CarePhase.Acute, CarePhase.Recovery, CarePhase.Prevention, CarePhase.Any], knowledge.PlanOrder.Phases.Select(p => p.Phase));
        Assert.Equal("cold_therapy", knowledge.PlanOrder.Phases[0].Interventions[0]);
        var listed = knowledge.PlanOrder.Phases.SelectMany(p => p.Interventions).ToList();
        Assert.Equal(knowledge.Interventions.Where(i => i.Stance != Stance.NotRecommended).Select(i => i.Code).Order(), listed.Order());
        var secondLine = Assert.Single(knowledge.Interventions, i => i.SecondLine is not null);
        Assert.Equal(("weak_opioids", "nsaids"), (secondLine.Code, secondLine.SecondLine.After));
        Assert.Contains(secondLine.SecondLine.Sources, s => s.SourceId == "NICE-NG59" && s.Title.Length > 0);
    }

    [Fact]
    public void A_version_published_before_plan_order_existed_loads_and_keeps_its_hash()
    {
        var release = KnowledgeLoader.LoadDirectory(Path.Combine(AppContext.BaseDirectory, "Releases", "knowledge-1.1.0"));

        Assert.Null(release.PlanOrder);
        Assert.All(release.Interventions, i => Assert.Null(i.SecondLine));
        // What the loader computed before the schema had plan_order or second_line: stored versions must still match it.
        Assert.Equal("sha256:8cd54c9acf212a57449f4f6ebf3b96c023db81185e6680782df9fd4e5e53cb72", release.ContentHash);
    }

    [Fact]
    public void Content_from_1_3_0_without_a_plan_order_is_refused()
    {
        var files = BundledContent.Files().Where(f => f.Path != PlanOrderFile).ToList();
        Assert.Contains(BundledContent.Invalid(files).Errors, e => e.StartsWith("plan_order: is required from knowledge 1.3.0", StringComparison.Ordinal));
    }

    [Fact]
    public void Content_before_1_3_0_loads_without_a_plan_order_but_not_with_a_second_line()
    {
        var older = BundledContent.Files()
            .Where(f => f.Path != PlanOrderFile)
            .Select(f => f.Path == "manifest.yaml" ? f with { Text = f.Text.Replace("version: \"1.3.0\"", "version: \"1.2.9\"", StringComparison.Ordinal) } : f)
            .ToList();
        Assert.Contains(BundledContent.Invalid(older).Errors, e => e.StartsWith("intervention 'weak_opioids' second_line: content without a plan_order", StringComparison.Ordinal));

        var withoutSecondLine = older.Select(f => f.Path == Supported ? f with { Text = RemoveSecondLine(f.Text) } : f).ToList();
        var knowledge = KnowledgeLoader.Load(withoutSecondLine);
        Assert.Null(knowledge.PlanOrder);
        Assert.Equal("1.2.9", knowledge.Manifest.Version);
    }

    [Fact]
    public void A_second_plan_order_is_refused()
    {
        var files = BundledContent.Files();
        var errors = BundledContent.Invalid(BundledContent.With("extra.yaml", files.Single(f => f.Path == PlanOrderFile).Text)).Errors;
        Assert.Contains("plan_order.yaml: plan_order is already defined in extra.yaml; it must appear once.", errors);
    }

    [Fact]
    public void An_unknown_intervention_in_the_order_is_refused()
    {
        var errors = EditingOrder(text => text.Replace("[posture_ergonomics]", "[posture_ergonomics, yoga]", StringComparison.Ordinal));
        Assert.Contains("plan_order phases[2]: names unknown intervention 'yoga'.", errors);
    }

    [Fact]
    public void An_intervention_listed_twice_is_refused()
    {
        var errors = EditingOrder(text => text.Replace("[posture_ergonomics]", "[posture_ergonomics, posture_ergonomics]", StringComparison.Ordinal));
        Assert.Contains("plan_order phases[2]: intervention 'posture_ergonomics' is listed more than once; a plan gives each intervention one place.", errors);
    }

    [Fact]
    public void A_plannable_intervention_the_order_leaves_out_is_refused()
    {
        var errors = EditingOrder(text => text.Replace(", hydration_electrolytes]", "]", StringComparison.Ordinal));
        Assert.Contains("intervention 'hydration_electrolytes': plan_order does not list it; a plan would not know where to put it (add it under CARE_PHASE_ANY).", errors);
    }

    [Fact]
    public void An_intervention_listed_under_another_phase_is_refused()
    {
        var errors = EditingOrder(text => text
            .Replace("[posture_ergonomics]", "[]", StringComparison.Ordinal)
            .Replace("[vacuum_therapy,", "[posture_ergonomics, vacuum_therapy,", StringComparison.Ordinal));
        Assert.Contains("plan_order phases[3]: intervention 'posture_ergonomics' is listed under CARE_PHASE_ANY but its phase is CARE_PHASE_PREVENTION.", errors);
    }

    [Fact]
    public void A_not_recommended_intervention_in_the_order_is_refused()
    {
        var errors = EditingOrder(text => text.Replace("[vacuum_therapy,", "[bed_rest, vacuum_therapy,", StringComparison.Ordinal));
        Assert.Contains("plan_order phases[3]: intervention 'bed_rest' is not recommended, so no plan holds it; leave it out of the plan order.", errors);
    }

    [Fact]
    public void A_phase_listed_twice_or_without_its_phase_is_refused()
    {
        var twice = EditingOrder(text => text.Replace(
            "    - phase: CARE_PHASE_PREVENTION\n      interventions: [posture_ergonomics]\n",
            "    - phase: CARE_PHASE_PREVENTION\n      interventions: [posture_ergonomics]\n    - phase: CARE_PHASE_ACUTE\n      interventions: []\n",
            StringComparison.Ordinal));
        Assert.Contains("plan_order phases[3]: CARE_PHASE_ACUTE is listed more than once; each phase comes once, with all its interventions.", twice);

        var unspecified = EditingOrder(text => text.Replace("phase: CARE_PHASE_PREVENTION", "phase: CARE_PHASE_UNSPECIFIED", StringComparison.Ordinal));
        Assert.Contains("plan_order phases[2]: phase is required.", unspecified);
        Assert.Contains("plan_order phases[2]: intervention 'posture_ergonomics' is listed under CARE_PHASE_UNSPECIFIED but its phase is CARE_PHASE_PREVENTION.", unspecified);
    }

    [Fact]
    public void A_plan_order_without_sources_is_refused()
    {
        var errors = EditingOrder(text => text[..text.IndexOf("  sources:", StringComparison.Ordinal)]);
        Assert.Contains("plan_order: has no sources; every item needs at least one.", errors);
    }

    [Fact]
    public void A_second_line_after_an_unknown_intervention_is_refused()
    {
        var errors = EditingSupported(text => text.Replace("after: nsaids", "after: nsaid", StringComparison.Ordinal));
        Assert.Contains("intervention 'weak_opioids' second_line: after names unknown intervention 'nsaid'.", errors);
    }

    [Fact]
    public void A_second_line_without_its_first_line_or_sources_is_refused()
    {
        var errors = EditingSupported(text => RemoveSecondLine(text).Replace(
            "  - code: weak_opioids\n",
            "  - code: weak_opioids\n    second_line: {after: \"\", sources: []}\n",
            StringComparison.Ordinal));
        Assert.Contains("intervention 'weak_opioids' second_line: after is required: the code of the first-line intervention it follows.", errors);
        Assert.Contains("intervention 'weak_opioids' second_line: has no sources; every item needs at least one.", errors);
    }

    [Fact]
    public void Second_line_relations_in_a_cycle_are_refused_once_naming_the_cycle()
    {
        var errors = EditingSupported(text => AddSecondLine(text, "nsaids", "weak_opioids"));
        Assert.Single(errors, e => e.Contains("cycle", StringComparison.Ordinal));
        Assert.Contains("intervention 'nsaids' second_line: second-line relations form a cycle (nsaids -> weak_opioids -> nsaids); each would wait for the other to be excluded.", errors);

        var itself = EditingSupported(text => AddSecondLine(text, "heat_therapy", "heat_therapy"));
        Assert.Contains("intervention 'heat_therapy' second_line: second-line relations form a cycle (heat_therapy -> heat_therapy); each would wait for the other to be excluded.", itself);
    }

    [Fact]
    public void A_second_line_after_another_second_line_is_refused()
    {
        var errors = EditingSupported(text => AddSecondLine(text, "muscle_relaxants", "weak_opioids"));
        Assert.Contains("intervention 'muscle_relaxants' second_line: after names 'weak_opioids', which is itself second line after 'nsaids'; name the first-line intervention.", errors);
    }

    [Fact]
    public void A_second_line_after_a_not_recommended_intervention_or_of_one_is_refused()
    {
        var after = EditingSupported(text => AddSecondLine(text, "heat_therapy", "bed_rest"));
        Assert.Contains("intervention 'heat_therapy' second_line: after names 'bed_rest', which is not recommended and so never planned; a second line after it would be first line in every plan.", after);

        var of = BundledContent.Invalid(BundledContent.Editing(NotSupported, text => AddSecondLine(text, "bed_rest", "staying_active"))).Errors;
        Assert.Contains("intervention 'bed_rest' second_line: the intervention is not recommended, so no plan holds it, first or second line; remove second_line.", of);
    }

    private static IReadOnlyList<string> EditingOrder(Func<string, string> edit)
    {
        var files = BundledContent.Editing(PlanOrderFile, edit);
        Assert.Contains(AcuteList, files.Single(f => f.Path == PlanOrderFile).Text, StringComparison.Ordinal);
        return BundledContent.Invalid(files).Errors;
    }

    private static IReadOnlyList<string> EditingSupported(Func<string, string> edit) =>
        BundledContent.Invalid(BundledContent.Editing(Supported, edit)).Errors;

    /// <summary>Gives intervention <paramref name="code"/> a sourced second_line after <paramref name="after"/>.</summary>
    private static string AddSecondLine(string text, string code, string after)
    {
        var anchor = $"  - code: {code}\n";
        Assert.Contains(anchor, text, StringComparison.Ordinal);
        return text.Replace(anchor, $"{anchor}    second_line: {{after: {after}, sources: [{{source_id: NICE-NG59}}]}}\n", StringComparison.Ordinal);
    }

    private static string RemoveSecondLine(string text)
    {
        var start = text.IndexOf("    second_line:\n", StringComparison.Ordinal);
        var end = text.IndexOf("    contraindications:", start, StringComparison.Ordinal);
        return text.Remove(start, end - start);
    }
}
