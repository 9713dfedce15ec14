using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace SpasmPlatform.ServiceDefaults;

/// <summary>A service's Main: build, map, run; settings that cannot work end the process with their list and exit code 78.</summary>
public static class ServiceHost
{
    /// <summary>sysexits.h EX_CONFIG: what supervisors and operators recognise as "fix the configuration".</summary>
    public const int ConfigurationErrorExitCode = 78;

    public static int Run(string[] args, Action<WebApplicationBuilder> configure, Action<WebApplication> map)
    {
        ArgumentNullException.ThrowIfNull(configure);
        ArgumentNullException.ThrowIfNull(map);
        WebApplication app;
        try
        {
            var builder = WebApplication.CreateBuilder(args);
            configure(builder);
            app = builder.Build();
        }
        catch (ConfigurationValidationException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return ConfigurationErrorExitCode;
        }

        try
        {
            // A service's own options (ValidateOnStart), checked here rather than as the host starts, where a failure
            // is logged with its stack trace.
            app.Services.GetService<IStartupValidator>()?.Validate();
        }
        catch (OptionsValidationException ex)
        {
            Console.Error.WriteLine($"{ex.OptionsType.Name}: {string.Join("; ", ex.Failures)}");
            return ConfigurationErrorExitCode;
        }

        map(app);
        app.Run();
        return 0;
    }
}
