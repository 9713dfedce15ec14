using Xunit.Abstractions;

namespace SpasmPlatform.CarePlan.Tests;

/// <summary>Prints every sample's plan into the test output: the quickest way for a clinician to read what is drafted.</summary>
public sealed class DraftInspection(ITestOutputHelper output)
{
    [Fact]
    public void Every_sample_drafts_a_plan_with_sources_for_each_intervention()
    {
        foreach (var name in Samples.Names())
        {
            var plan = Samples.Plan(name);
            output.WriteLine($"== {name}: {plan.Status} {plan.Urgency}, follow-up {plan.FollowUpInDays} d");
            foreach (var i in plan.Interventions)
            {
                output.WriteLine($"  + {i.Code} [{i.Phase}] {i.Schedule} <- {i.Rationale}");
                Assert.NotEmpty(i.Sources);
                Assert.NotEmpty(i.Instructions);
                Assert.NotEmpty(i.Rationale);
            }

            foreach (var e in plan.Excluded)
            {
                output.WriteLine($"  - {e.Code}: {e.Reason}");
            }

            foreach (var c in plan.Cautions)
            {
                output.WriteLine($"  ! {c}");
            }

            Assert.True(plan.FollowUpInDays > 0);
        }
    }
}
