using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Common.V1;
using SpasmPlatform.Contracts.IntegrationEvents;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.Assessment;

/// <summary>
/// CarePlanDrafted from the broker links the plan to its assessment, once however often it is delivered. The broker is
/// shared with other test classes whose care-plan processes draft real plans for every TriageDecided (this host's
/// too), so the assertions count links to this test's own plan ids rather than expecting no other plan.
/// </summary>
public sealed class AssessmentCarePlanLinkTests(CarePlanLinkHost host) : IClassFixture<CarePlanLinkHost>
{
    [Fact]
    public async Task A_drafted_care_plan_is_linked_once_even_when_delivered_twice()
    {
        var clinic = Submissions.NewId("clinic");
        var assessment = (await host.Client.SubmitAssessmentAsync(Submissions.LiftingStrain(clinic, "req-plan"))).Assessment;
        var sentinel = (await host.Client.SubmitAssessmentAsync(Submissions.LiftingStrain(clinic, "req-sentinel"))).Assessment;
        Assert.Equal("", assessment.CarePlanId);

        await using var provider = BuildBus(host.MessagingPrefix);
        var bus = provider.GetRequiredService<IBusControl>();
        await bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        try
        {
            var drafted = Drafted(assessment, "care-plan-1");
            await bus.Publish(drafted, context => context.MessageId = drafted.MessageId);
            await Eventually.WaitAsync(
                async () => await host.CountLinksAsync(assessment.AssessmentId, "care-plan-1") > 0,
                TimeSpan.FromSeconds(60), $"care plan care-plan-1 to be linked; service output:\n{host.Service.Output}");

            // The broker delivers it again; then a later message, handled after it (one at a time on this host).
            await bus.Publish(drafted, context => context.MessageId = drafted.MessageId);
            var later = Drafted(sentinel, "care-plan-2");
            await bus.Publish(later, context => context.MessageId = later.MessageId);
            await Eventually.WaitAsync(
                async () => await host.CountLinksAsync(sentinel.AssessmentId, "care-plan-2") > 0,
                TimeSpan.FromSeconds(60), $"care plan care-plan-2 to be linked; service output:\n{host.Service.Output}");
        }
        finally
        {
            await bus.StopAsync();
        }

        // The second delivery of the same message was handled (the later message, queued behind it, is linked) and stored nothing.
        Assert.Equal(1, await host.CountLinksAsync(assessment.AssessmentId, "care-plan-1"));
        var linked = await host.Client.GetAssessmentAsync(new GetAssessmentRequest { AssessmentId = assessment.AssessmentId });
        Assert.Equal(assessment.Triage, linked.Triage);
        Assert.NotEqual("", linked.CarePlanId);
    }

    private static CarePlanDrafted Drafted(SpasmPlatform.Assessment.V1.Assessment assessment, string carePlanId) => new(
        Guid.NewGuid(), Guid.NewGuid().ToString("N"), assessment.ClinicId, carePlanId, assessment.AssessmentId, "CARE_PLAN_STATUS_PENDING_REVIEW",
        assessment.Triage.Urgency, assessment.Triage.RuleSetVersion, assessment.Triage.KnowledgeVersion, DateTimeOffset.UtcNow);

    private static ServiceProvider BuildBus(string? prefix)
    {
        var services = new ServiceCollection();
        services.AddMassTransit(bus => bus.UsingRabbitMq((_, cfg) =>
        {
            MessagingIsolation.Configure(cfg, prefix);
            cfg.Host(new Uri(Platform.RabbitMq));
        }));
        return services.BuildServiceProvider();
    }
}
