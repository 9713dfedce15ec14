using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Playwright;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.IntegrationTests.Infrastructure;
using SpasmPlatform.IntegrationTests.Security;

namespace SpasmPlatform.Console.EndToEnd;

/// <summary>
/// The three services with mutual TLS on schemas and a broker prefix of their own, the console as a process with its
/// own certificate (role console) and development sign-in, and a headless Chromium: Debian's, never a downloaded one.
/// </summary>
public sealed class ConsolePlatform : IAsyncLifetime
{
    public const string Clinic = "clinic-demo";
    private const string Chromium = "/usr/bin/chromium";

    // The three services exactly as the security tests run them: mutual TLS, own schemas, own broker prefix.
    private readonly SecurePlatform _services = new();
    private readonly StringBuilder _consoleOutput = new();
    private Process? _console;

    public TestPki Pki => _services.Pki;

    public ServiceProcess Knowledge => _services.Knowledge;

    public ServiceProcess CarePlan => _services.CarePlan;

    public ServiceProcess Assessment => _services.Assessment;

    public Uri ConsoleAddress { get; private set; } = null!;

    public IPlaywright Playwright { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where the tests keep a screenshot of each page they visit.</summary>
    public string Screenshots { get; } = Path.Combine(Platform.RepoRoot, ".spasm", "artifacts", "console");

    public string ConsoleOutput
    {
        get
        {
            lock (_consoleOutput)
            {
                return _consoleOutput.ToString();
            }
        }
    }

    public X509Certificate2 ClinicSystem => Pki.Client($"CN=ehr-{Clinic}, OU=clinic-system, O={Clinic}");

    public X509Certificate2 Physiotherapist => Pki.Client($"CN=physio-tool-{Clinic}, OU=physiotherapist, O={Clinic}");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Screenshots);
        await _services.InitializeAsync();
        await StartConsoleAsync();

        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A browser of its own for one person, in a time zone other than the server's.</summary>
    public async Task<IPage> SignInAsync(string personId)
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/signin");
        await page.GetByLabel(new System.Text.RegularExpressions.Regex($"^{DisplayName(personId)} ")).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/signin", StringComparison.Ordinal));
        return page;
    }

    /// <summary>A browser of its own, signed in as nobody, in a time zone other than the server's.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = ConsoleAddress.ToString(),
            // The console's certificate comes from the test CA, which this browser does not know.
            IgnoreHTTPSErrors = true,
            TimezoneId = "Europe/Berlin",
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        // CI runs the test assemblies side by side on two cores: a page that loads in a second alone can take tens of
        // seconds there (a 30 s navigation timed out once). Waits are for things that do happen, so a long bound costs
        // nothing when they do.
        context.SetDefaultTimeout(90_000);
        context.SetDefaultNavigationTimeout(90_000);
        return await context.NewPageAsync();
    }

    public static string DisplayName(string personId) => personId switch
    {
        "pia.physio" => "Pia Okafor",
        "peter.physio" => "Peter Lindqvist",
        "carla.clinician" => "Dr Carla Mendes",
        "audrey.auditor" => "Audrey Chen",
        "dora.dpo" => "Dora Fischer",
        _ => throw new ArgumentOutOfRangeException(nameof(personId)),
    };

    public async Task<SpasmPlatform.Assessment.V1.Assessment> SubmitAsync()
    {
        var submission = JsonParser.Default.Parse<SubmitAssessmentRequest>(File.ReadAllText(Path.Combine(Platform.RepoRoot, "samples", "assessments", "v01-lifting-strain.json")));
        submission.ClinicId = Clinic;
        submission.RequestId = $"req-{Guid.NewGuid():N}";
        submission.PatientRef = $"p-{Guid.NewGuid():N}"[..12];
        using var channel = Pki.Channel(Assessment.Address, ClinicSystem);
        return (await new AssessmentService.AssessmentServiceClient(channel).SubmitAssessmentAsync(submission)).Assessment;
    }

    /// <summary>The plan the care-plan service drafts for an assessment, read with a physiotherapy system's certificate.</summary>
    public async Task<SpasmPlatform.CarePlan.V1.CarePlan> PlanOfAsync(string assessmentId, X509Certificate2? physiotherapist = null)
    {
        using var channel = Pki.Channel(CarePlan.Address, physiotherapist ?? Physiotherapist);
        var plans = new CarePlanService.CarePlanServiceClient(channel);
        SpasmPlatform.CarePlan.V1.CarePlan? found = null;
        await Eventually.WaitAsync(async () =>
        {
            try
            {
                found = await plans.GetCarePlanAsync(new GetCarePlanRequest { AssessmentId = assessmentId });
                return true;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "the care plan to be drafted");
        return found!;
    }

    /// <summary>A plan of another clinic ("clinic-other"), drafted and waiting.</summary>
    public async Task<SpasmPlatform.CarePlan.V1.CarePlan> SubmitForOtherClinicAsync()
    {
        const string other = "clinic-other";
        var submission = JsonParser.Default.Parse<SubmitAssessmentRequest>(File.ReadAllText(Path.Combine(Platform.RepoRoot, "samples", "assessments", "v01-lifting-strain.json")));
        submission.ClinicId = other;
        submission.RequestId = $"req-{Guid.NewGuid():N}";
        submission.PatientRef = $"p-{Guid.NewGuid():N}"[..12];
        using var channel = Pki.Channel(Assessment.Address, Pki.Client($"CN=ehr-{other}, OU=clinic-system, O={other}"));
        var assessment = (await new AssessmentService.AssessmentServiceClient(channel).SubmitAssessmentAsync(submission)).Assessment;
        return await PlanOfAsync(assessment.AssessmentId, Pki.Client($"CN=physio-{other}, OU=physiotherapist, O={other}"));
    }

    public async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, $"{name}.png"), FullPage = true });

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        Playwright?.Dispose();
        if (_console is { HasExited: false })
        {
            _console.Kill(entireProcessTree: true);
            await _console.WaitForExitAsync();
        }

        _console?.Dispose();
        await _services.DisposeAsync();
    }

    private async Task StartConsoleAsync() =>
        (_console, ConsoleAddress) = await LaunchConsoleAsync(new Dictionary<string, string?>());

    /// <summary>
    /// Starts a console process against these services with the test PKI, development sign-in unless
    /// <paramref name="overrides"/> say otherwise (a null value removes a setting); waits for its sign-in page.
    /// </summary>
    public async Task<(Process Process, Uri Address)> LaunchConsoleAsync(IReadOnlyDictionary<string, string?> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var dll = Path.Combine(Platform.RepoRoot, "services", "Console", "SpasmPlatform.Console", "bin", Platform.BuildConfiguration, "net10.0", "SpasmPlatform.Console.dll");
        var port = ServiceProcess.FreePort();
        var (https, httpsKey, _) = Pki.Issue("CN=localhost", server: true);
        var (client, clientKey, _) = Pki.Issue("CN=web-console, OU=console");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll },
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Console__SignIn"] = "Development",
                ["Console__Port"] = port.ToString(CultureInfo.InvariantCulture),
                ["Console__HttpsCertificate"] = https,
                ["Console__HttpsCertificateKey"] = httpsKey,
                ["Console__ClientCertificate"] = client,
                ["Console__ClientCertificateKey"] = clientKey,
                ["Console__TrustedCa"] = Pki.CaPath,
                ["Console__Services__Assessment"] = Assessment.Address.ToString(),
                ["Console__Services__Knowledge"] = Knowledge.Address.ToString(),
                ["Console__Services__CarePlan"] = CarePlan.Address.ToString(),
                ["ConnectionStrings__RabbitMq"] = Platform.RabbitMq,
                ["Messaging__EntityPrefix"] = _services.EntityPrefix,
            },
        };
        foreach (var (key, value) in overrides)
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        var console = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {dll}.");
        console.OutputDataReceived += (_, e) => Append(e.Data);
        console.ErrorDataReceived += (_, e) => Append(e.Data);
        console.BeginOutputReadLine();
        console.BeginErrorReadLine();
        var address = new Uri($"https://127.0.0.1:{port}/");

        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.Issuer == Pki.Ca.Subject };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.WaitAsync(async () =>
        {
            if (console.HasExited)
            {
                throw new InvalidOperationException($"The console exited with {console.ExitCode}:\n{ConsoleOutput}");
            }

            try
            {
                return (await http.GetAsync(new Uri(address, "signin"))).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(90), $"the console to serve; its output:\n{ConsoleOutput}");
        return (console, address);
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_consoleOutput)
            {
                _consoleOutput.AppendLine(line);
            }
        }
    }
}
