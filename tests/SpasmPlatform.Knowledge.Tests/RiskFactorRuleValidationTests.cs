namespace SpasmPlatform.Knowledge.Tests;

/// <summary>
/// The validator keeps the 1.2.0 promise for any content an editor publishes: a risk factor for serious pathology
/// never ends in self-care, never goes without its condition's safety net, and none the knowledge base lists is
/// left out of its condition's rule.
/// </summary>
public sealed class RiskFactorRuleValidationTests
{
    [Fact]
    public void A_risk_factor_level_at_self_care_is_refused()
    {
        var errors = Invalid(text => ReplaceFirstAfter(text, "- id: rk_vertebral_fracture", "urgency: URGENCY_ROUTINE", "urgency: URGENCY_SELF_CARE"));
        Assert.Contains(errors, e => e.Contains("risk-factor rule 'rk_vertebral_fracture' alone: urgency must be a clinician review", StringComparison.Ordinal));
    }

    [Fact]
    public void A_risk_factor_rule_without_its_safety_net_is_refused()
    {
        var errors = Invalid(text => text.Replace("safety_net: [sn_infection_risk]", "safety_net: []", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'rk_spinal_infection': safety_net needs the condition's own safety-net advice", StringComparison.Ordinal));
    }

    [Fact]
    public void A_rule_owned_safety_net_with_its_own_condition_is_refused()
    {
        var errors = Invalid(text => text.Replace(
            "  - id: sn_infection_risk\n",
            "  - id: sn_infection_risk\n      when: red_flags.iv_drug_use\n",
            StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("safety_net 'sn_infection_risk' is given whenever the rule fires", StringComparison.Ordinal));
    }

    [Fact]
    public void Escalated_below_alone_is_refused()
    {
        var errors = Invalid(text => ReplaceFirstAfter(text, "- id: rk_spinal_infection", "urgency: URGENCY_SAME_DAY", "urgency: URGENCY_ROUTINE"));
        Assert.Contains(errors, e => e.Contains("'rk_spinal_infection': escalated must be at least as urgent", StringComparison.Ordinal));
    }

    [Fact]
    public void A_listed_risk_factor_the_rule_does_not_read_is_refused()
    {
        var errors = Invalid(text => text.Replace(
            "        - {text: \"Tuberculosis, past or exposure\", when: red_flags.tuberculosis_exposure}\n",
            string.Empty,
            StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("condition 'spinal_infection' lists the risk factor 'red_flags.tuberculosis_exposure', which the rule does not read", StringComparison.Ordinal));
    }

    [Fact]
    public void A_condition_with_risk_factors_and_no_rule_is_refused()
    {
        var files = BundledContent.Editing("rules.yaml", text =>
        {
            var start = text.IndexOf("    - id: rk_vertebral_fracture", StringComparison.Ordinal);
            var end = text.IndexOf("    - id: rk_aaa", StringComparison.Ordinal);
            return text.Remove(start, end - start);
        });
        var errors = BundledContent.Invalid(files).Errors;
        Assert.Contains(errors, e => e.Contains("condition 'vertebral_fracture': it lists risk factors with a finding predicate but no risk-factor rule reads them", StringComparison.Ordinal));
    }

    [Fact]
    public void A_red_flag_without_a_concern_is_refused_once_the_rule_set_grades_risk()
    {
        var errors = Invalid(text => ReplaceFirstAfter(text, "- id: rf_ces_emergency", "      concern: CONCERN_SUSPECTED\n", string.Empty));
        Assert.Contains(errors, e => e.Contains("red-flag rule 'rf_ces_emergency': concern is required", StringComparison.Ordinal));
    }

    private static IReadOnlyList<string> Invalid(Func<string, string> edit) =>
        BundledContent.Invalid(BundledContent.Editing("rules.yaml", edit)).Errors;

    private static string ReplaceFirstAfter(string text, string anchor, string old, string replacement)
    {
        var at = text.IndexOf(old, text.IndexOf(anchor, StringComparison.Ordinal), StringComparison.Ordinal);
        return text.Remove(at, old.Length).Insert(at, replacement);
    }
}
