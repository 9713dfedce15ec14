using MassTransit;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using SpasmPlatform.Console.Components;
using SpasmPlatform.Console.Identity;
using SpasmPlatform.Console.Platform;

namespace SpasmPlatform.Console;

public static class ConsoleHost
{
    public static int Run(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is ["probe", var address])
        {
            return Probe(new Uri(address));
        }

        var builder = WebApplication.CreateBuilder(args);
        var problems = new List<string>();
        var settings = ConsoleSettings.From(builder.Configuration, problems);
        var rabbit = builder.Configuration.GetConnectionString("RabbitMq");
        if (string.IsNullOrEmpty(rabbit))
        {
            problems.Add("ConnectionStrings:RabbitMq must be set (environment variable ConnectionStrings__RabbitMq): the review queue updates from the care-plan service's events.");
        }

        if (settings is null || problems.Count > 0)
        {
            System.Console.Error.WriteLine("The console cannot start:");
            foreach (var problem in problems)
            {
                System.Console.Error.WriteLine($"  - {problem}");
            }

            return 2;
        }

        // Serves wwwroot from the project when run from a build (./spasm up, the tests); a no-op once published.
        builder.WebHost.UseStaticWebAssets();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(settings.BindAddress, settings.Port, listen => listen.UseHttps(settings.HttpsCertificate));
        });

        builder.Services.AddSingleton(settings);
        AddKeyRing(builder.Services, settings);
        builder.Services.AddSingleton<ServiceChannels>();
        builder.Services.AddSingleton<PlanFeed>();
        builder.Services.AddScoped<PlatformCalls>();
        builder.Services.AddScoped<ViewerClock>();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddScoped<AuthenticationStateProvider, SessionRevalidation>();
        builder.Services.AddAuthorization();
        SignIn.Configure(builder.Services, settings);
        builder.Services.AddAntiforgery(options =>
        {
            options.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            options.Cookie.SameSite = SameSiteMode.Strict;
        });

        var prefix = builder.Configuration["Messaging:EntityPrefix"];
        builder.Services.AddMassTransit(bus =>
        {
            // As in the services: no usage reports to MassTransit's vendor.
            bus.DisableUsageTelemetry();
            bus.AddConsumer<CarePlanDraftedConsumer>();
            bus.AddConsumer<CarePlanReviewedConsumer>();
            bus.UsingRabbitMq((context, cfg) =>
            {
                if (!string.IsNullOrEmpty(prefix))
                {
                    cfg.MessageTopology.SetEntityNameFormatter(new PrefixedNames(prefix, cfg.MessageTopology.EntityNameFormatter));
                }

                cfg.Host(new Uri(rabbit!));
                // A queue of this process's own, gone when it stops: every console instance hears every change.
                cfg.ReceiveEndpoint(new TemporaryEndpointDefinition("spasm-console"), endpoint =>
                {
                    endpoint.ConfigureConsumer<CarePlanDraftedConsumer>(context);
                    endpoint.ConfigureConsumer<CarePlanReviewedConsumer>(context);
                });
            });
        });

        var app = builder.Build();
        // Every environment: a failure shows the error page, never an exception page.
        app.UseExceptionHandler("/error", createScopeForErrors: true);
        app.UseHsts();
        app.UseStatusCodePagesWithReExecute("/not-found");
        app.Use(async (context, next) =>
        {
            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.Headers.XFrameOptions = "DENY";
            context.Response.Headers["Referrer-Policy"] = "no-referrer";
            await next();
        });
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapStaticAssets();
        SignIn.MapEndpoints(app, settings);
        ReportDownload.Map(app);
        // For container health checks and Kubernetes probes: the process serves pages; says nothing else.
        app.MapGet("/healthz", () => Results.Text("ok")).AllowAnonymous();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

        app.Lifetime.ApplicationStarted.Register(() =>
            app.Logger.LogInformation("Console serving https://{Address}:{Port} ({SignIn} sign-in)", settings.BindAddress, settings.Port, settings.SignIn));
        app.Run();
        return 0;
    }

    /// <summary>
    /// "probe https://127.0.0.1:5104": the container's health check, run inside it (the image has no curl). The
    /// certificate is not checked: the probe asks its own process over loopback, and the answer carries no secret.
    /// </summary>
    /// <summary>
    /// Session cookies and form tokens are sealed with data-protection keys. With a shared <see cref="ConsoleSettings.KeyRing"/>
    /// every replica reads what another sealed, so a person stays signed in when the load balancer or a restart moves
    /// them. The application name is fixed because the default is the content root, which differs between hosts.
    /// </summary>
    private static void AddKeyRing(IServiceCollection services, ConsoleSettings settings)
    {
        var dataProtection = services.AddDataProtection().SetApplicationName("SpasmPlatform.Console");
        if (settings.KeyRing is not { } directory)
        {
            return;
        }

        dataProtection.PersistKeysToFileSystem(new DirectoryInfo(directory));
        if (settings.KeyRingCertificate is { } certificate)
        {
            dataProtection
                .ProtectKeysWithCertificate(certificate)
                // Found by this certificate, not by a search of the machine's certificate store, which holds nothing here.
                .UnprotectKeysWithAnyCertificate(certificate);
        }
    }

    private static int Probe(Uri address)
    {
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(4) };
        try
        {
            using var response = http.GetAsync(new Uri(address, "/healthz")).GetAwaiter().GetResult();
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            System.Console.Error.WriteLine($"The console at {address} does not answer: {e.Message}");
            return 1;
        }
    }
}
