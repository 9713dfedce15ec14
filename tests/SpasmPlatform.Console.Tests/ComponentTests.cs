using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using SpasmPlatform.Common.V1;
using SpasmPlatform.Console.Components.Layout;
using SpasmPlatform.Console.Components.Pages;
using SpasmPlatform.Console.Components.Shared;
using SpasmPlatform.Console.Identity;
using SpasmPlatform.Console.Platform;

namespace SpasmPlatform.Console.Tests;

/// <summary>The console's components rendered with bUnit: what a person sees and can reach with keyboard and screen reader.</summary>
public sealed class ComponentTests : BunitContext
{
    public ComponentTests() => Services.AddSingleton<Microsoft.AspNetCore.Components.Forms.AntiforgeryStateProvider>(new KnownToken());

    /// <summary>What the server's provider gives a form: a token under the field name the antiforgery middleware reads.</summary>
    private sealed class KnownToken : Microsoft.AspNetCore.Components.Forms.AntiforgeryStateProvider
    {
        public override Microsoft.AspNetCore.Components.Forms.AntiforgeryRequestToken GetAntiforgeryToken() => new("known-token", "__RequestVerificationToken");
    }

    [Fact]
    public void Development_sign_in_offers_each_demo_person_as_a_labelled_choice_in_a_protected_form()
    {
        Services.AddSingleton(Settings(SignInMode.Development));
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo(navigation.GetUriWithQueryParameter("ReturnUrl", "/plans/cp-1"));
        var page = Render<SignInPage>();

        var form = page.Find("form");
        Assert.Equal("/account/demo-signin", form.GetAttribute("action"));
        Assert.Equal("post", form.GetAttribute("method"));
        Assert.NotNull(form.QuerySelector("input[type=hidden][name=__RequestVerificationToken]"));
        Assert.Equal("/plans/cp-1", form.QuerySelector("input[name=returnUrl]")!.GetAttribute("value"));
        var radios = page.FindAll("input[type=radio][name=person]");
        Assert.Equal(DemoPeople.All.Select(p => p.Id), radios.Select(r => r.GetAttribute("value")));
        foreach (var radio in radios)
        {
            var label = page.Find($"label[for='{radio.Id}']");
            Assert.False(string.IsNullOrWhiteSpace(label.TextContent));
        }

        Assert.Contains("Audrey Chen — Auditor, all clinics", page.Markup, StringComparison.Ordinal);
        Assert.Contains("Pia Okafor — Physiotherapist at clinic-demo", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Production_sign_in_sends_people_to_the_identity_provider_and_offers_no_demo_people()
    {
        Services.AddSingleton(Settings(SignInMode.OpenIdConnect));
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo(navigation.GetUriWithQueryParameter("ReturnUrl", "/queue?x=1"));
        var page = Render<SignInPage>();

        Assert.Empty(page.FindAll("input[type=radio]"));
        Assert.Equal("/account/login?returnUrl=%2Fqueue%3Fx%3D1", page.Find("a.button").GetAttribute("href"));
    }

    [Theory]
    [InlineData("no-role", "gives you no role in the console")]
    [InlineData("no-clinic", "does not name the clinic")]
    [InlineData("provider", "did not complete")]
    [InlineData("<script>", "did not complete")]
    public void A_refused_sign_in_says_why_in_words_of_its_own(string problem, string says)
    {
        Services.AddSingleton(Settings(SignInMode.OpenIdConnect));
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo(navigation.GetUriWithQueryParameter("Problem", problem));
        var page = Render<SignInPage>();

        var alert = page.Find("[role=alert]");
        Assert.Contains(says, alert.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(problem, alert.TextContent, StringComparison.Ordinal);
        Assert.Equal("/account/login?returnUrl=%2F", page.Find("a.button").GetAttribute("href"));
    }

    [Fact]
    public void Each_cited_source_links_to_its_entry_in_the_pages_source_list()
    {
        IReadOnlyList<Citation> citations = [new() { SourceId = "NICE-NG59", Title = "Low back pain", Locator = "1.2.1" }, new() { SourceId = "article:003_a.txt", Title = "An article" }];
        var links = Render<Sources>(p => p.Add(x => x.Items, citations).Add(x => x.Page, "plans/cp-1"));
        var list = Render<SourceList>(p => p.Add(x => x.Citations, citations.Concat(citations)));

        var hrefs = links.FindAll("a").Select(a => a.GetAttribute("href")!).ToList();
        Assert.Equal(["plans/cp-1#source-nice-ng59", "plans/cp-1#source-article-003-a-txt"], hrefs);
        var ids = list.FindAll("li").Select(li => li.Id).ToList();
        Assert.Equal(2, ids.Count);
        Assert.All(hrefs, href => Assert.Contains(href[(href.IndexOf('#') + 1)..], ids));
        Assert.Equal("NICE-NG59 1.2.1", links.FindAll("a")[0].TextContent);
    }

    [Fact]
    public void A_problem_is_announced_and_no_problem_shows_nothing()
    {
        var shown = Render<ProblemBox>(p => p.Add(x => x.Problem, new Problem("Your role does not allow this.", ProblemKind.NotAllowed)));
        Assert.Equal("alert", shown.Find("div.problem").GetAttribute("role"));
        Assert.Contains("Your role does not allow this.", shown.Markup, StringComparison.Ordinal);

        var none = Render<ProblemBox>(p => p.Add(x => x.Problem, null));
        Assert.Empty(none.Markup.Trim());
    }

    [Theory]
    [InlineData("pia.physio", "Review queue", "/queue")]
    [InlineData("carla.clinician", "Assessments", "/assessments")]
    [InlineData("audrey.auditor", "Audit", "/audit")]
    [InlineData("dora.dpo", "Erasure", "/erasure")]
    public void The_menu_offers_each_person_their_own_pages_and_a_protected_sign_out(string personId, string link, string href)
    {
        var person = DemoPeople.Find(personId)!;
        var auth = AddAuthorization();
        auth.SetAuthorized(person.DisplayName);
        // Roles before claims: bUnit keeps only the claims set last.
        auth.SetRoles(person.Role);
        auth.SetClaims([.. person.ToPrincipal("test", DateTimeOffset.UtcNow.AddMinutes(5)).Claims.Where(c => c.Type != System.Security.Claims.ClaimTypes.Role && c.Type != System.Security.Claims.ClaimTypes.Name)]);
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddScoped<ViewerClock>();
        Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));

        var layout = Render<MainLayout>();

        var links = layout.FindAll("nav a");
        var only = Assert.Single(links);
        Assert.Equal(link, only.TextContent);
        Assert.Equal(href, only.GetAttribute("href"));
        Assert.NotNull(layout.Find("form[action='/account/signout'] input[name=__RequestVerificationToken]"));
        Assert.Equal("#main", layout.Find("a.skip-link").GetAttribute("href"));
        Assert.Contains(person.DisplayName, layout.Find(".who").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Found_assessments_show_the_viewers_time_human_urgency_and_a_labelled_way_into_each_history()
    {
        var clock = new ViewerClock();
        clock.Use(TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));
        Services.AddSingleton(clock);
        SpasmPlatform.Audit.V1.AssessmentSummary[] items =
        [
            new()
            {
                AssessmentId = "a/2", ClinicId = "clinic-b", PatientRef = "patient-7", Urgency = Urgency.Within2Weeks, Overridden = true, CarePlanId = "cp-2",
                SubmittedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 7, 1, 8, 5, 0, TimeSpan.Zero)),
            },
            new()
            {
                AssessmentId = "a-1", ClinicId = "clinic-a", PatientRef = "patient-7", Urgency = Urgency.Emergency, ClinicalNotesErased = true,
                SubmittedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 6, 30, 23, 0, 0, TimeSpan.Zero)),
            },
        ];

        var found = Render<FoundAssessments>(p => p.Add(x => x.Items, items).Add(x => x.More, true));

        Assert.Equal("The newest 2 assessments found; there are more.", found.Find("[role=status]").TextContent);
        var rows = found.FindAll("tbody tr");
        Assert.Equal(2, rows.Count);
        var first = rows[0].QuerySelectorAll("td").Select(td => td.TextContent).ToList();
        Assert.Equal(["1 Jul 2026, 10:05 Europe/Berlin", "patient-7", "clinic-b", "Within 2 weeks (overridden by a clinician)", "Drafted"], first.Take(5));
        var second = rows[1].QuerySelectorAll("td").Select(td => td.TextContent).ToList();
        Assert.Equal(["1 Jul 2026, 01:00 Europe/Berlin", "patient-7", "clinic-a", "Emergency; notes erased", "None yet"], second.Take(5));
        var link = rows[0].QuerySelector("a")!;
        Assert.Equal("/audit/assessments/a%2F2", link.GetAttribute("href"));
        Assert.Equal("Open the history of a/2", link.TextContent);
        Assert.Equal(6, found.FindAll("th[scope=col]").Count);

        var none = Render<FoundAssessments>(p => p.Add(x => x.Items, []));
        Assert.Equal("No assessment found.", none.Find("[role=status]").TextContent);
        Assert.Empty(none.FindAll("table"));
    }

    [Theory]
    [InlineData("Europe/Berlin", "2026-07-01", "2026-06-30T22:00:00+00:00")]
    [InlineData("Europe/Berlin", "2026-01-15", "2026-01-14T23:00:00+00:00")]
    [InlineData("America/New_York", "2026-07-01", "2026-07-01T04:00:00+00:00")]
    [InlineData("UTC", "2026-07-01", "2026-07-01T00:00:00+00:00")]
    public void A_day_typed_into_a_form_begins_at_the_viewers_midnight(string zone, string day, string utc)
    {
        var clock = new ViewerClock();
        clock.Use(TimeZoneInfo.FindSystemTimeZoneById(zone));

        var start = clock.StartOf(DateTime.Parse(day, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), start);
    }

    private static ConsoleSettings Settings(SignInMode mode)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var certificate = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return new ConsoleSettings
        {
            SignIn = mode,
            BindAddress = IPAddress.Loopback,
            Port = 5104,
            HttpsCertificate = certificate,
            Assessment = new Uri("http://127.0.0.1:1"),
            Knowledge = new Uri("http://127.0.0.1:2"),
            CarePlan = new Uri("http://127.0.0.1:3"),
            SessionLifetime = TimeSpan.FromMinutes(30),
        };
    }
}
