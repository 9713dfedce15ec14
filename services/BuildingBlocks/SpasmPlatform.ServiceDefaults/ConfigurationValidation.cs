using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;
using Npgsql;
using SpasmPlatform.ServiceDefaults.Privacy;

namespace SpasmPlatform.ServiceDefaults;

/// <summary>
/// Checks at start-up, before anything is built, every setting the shared host needs, and lists all problems at once
/// with the environment variable to set: a missing connection string should read as one, not as a stack trace from
/// the first request that needs it.
/// </summary>
public static class ConfigurationValidation
{
    public static void ThrowIfInvalid(IConfiguration configuration, ServiceInfo service)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(service);
        var problems = new List<string>();

        if (configuration.GetConnectionString("Postgres") is not { Length: > 0 } postgres)
        {
            problems.Add("ConnectionStrings:Postgres is not set (environment variable ConnectionStrings__Postgres), e.g. Host=127.0.0.1;Port=5432;Username=spasm;Password=...;Database=spasm.");
        }
        else
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(postgres);
            }
            catch (ArgumentException ex)
            {
                problems.Add(PostgresProblem(ex));
            }
        }

        if (configuration.GetConnectionString("RabbitMq") is not { Length: > 0 } rabbit)
        {
            problems.Add("ConnectionStrings:RabbitMq is not set (environment variable ConnectionStrings__RabbitMq), e.g. amqp://user:password@127.0.0.1:5672/.");
        }
        else if (!Uri.TryCreate(rabbit, UriKind.Absolute, out var rabbitUri) || rabbitUri.Scheme is not ("amqp" or "amqps" or "rabbitmq"))
        {
            problems.Add("ConnectionStrings:RabbitMq must be an amqp:// or amqps:// URI.");
        }

        if (configuration["Grpc:Port"] is { } port
            && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535))
        {
            problems.Add($"Grpc:Port is '{port}'; it must be a port number 1-65535 (environment variable Grpc__Port; default {service.DefaultPort}).");
        }

        if (configuration["Grpc:HealthPort"] is { } healthPort
            && (!int.TryParse(healthPort, NumberStyles.None, CultureInfo.InvariantCulture, out var healthNumber) || healthNumber is < 1 or > 65535
                || healthNumber == configuration.GetValue("Grpc:Port", service.DefaultPort)))
        {
            problems.Add($"Grpc:HealthPort is '{healthPort}'; it must be a port number 1-65535 other than Grpc:Port (environment variable Grpc__HealthPort).");
        }

        if (configuration["Grpc:BindAddress"] is { } bind && bind is not ("*" or "0.0.0.0") && !IPAddress.TryParse(bind, out _))
        {
            problems.Add($"Grpc:BindAddress is '{bind}'; it must be an IP address such as 127.0.0.1 or 0.0.0.0 (environment variable Grpc__BindAddress).");
        }

        if (configuration["shutdownTimeoutSeconds"] is { } timeout
            && (!int.TryParse(timeout, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds < 1))
        {
            problems.Add($"shutdownTimeoutSeconds is '{timeout}'; it must be a whole number of seconds, at least 1.");
        }

        if (configuration["Knowledge:Address"] is { Length: > 0 } knowledge
            && (!Uri.TryCreate(knowledge, UriKind.Absolute, out var knowledgeUri) || knowledgeUri.Scheme is not ("http" or "https")))
        {
            problems.Add($"Knowledge:Address is '{knowledge}'; it must be an http:// or https:// URL (environment variable Knowledge__Address).");
        }

        _ = Security.SecuritySettings.From(configuration, problems);
        if (service.StoresClinicalNotes)
        {
            _ = NotesKeySettings.Load(configuration, problems);
        }

        try
        {
            _ = TelemetrySettings.From(configuration, service);
        }
        catch (ConfigurationValidationException ex)
        {
            problems.AddRange(ex.Problems);
        }

        try
        {
            _ = RateLimitSettings.From(configuration);
        }
        catch (ConfigurationValidationException ex)
        {
            problems.AddRange(ex.Problems);
        }

        if (problems.Count > 0)
        {
            throw new ConfigurationValidationException(problems);
        }
    }

    /// <summary>
    /// Names the keyword whose value Npgsql refused, but never echoes the builder's message: for an unquoted ';' in a
    /// password ("Password=ab;cd") the "keyword" it cannot set is the rest of the password.
    /// </summary>
    private static string PostgresProblem(ArgumentException ex)
    {
        const string Prefix = "ConnectionStrings:Postgres is not a valid Npgsql connection string";
        return ex.ParamName is { Length: > 0 } keyword && new NpgsqlConnectionStringBuilder().ContainsKey(keyword)
            ? $"{Prefix}: the value of '{keyword}' cannot be used."
            : $"{Prefix}: a part is malformed or names an unknown keyword (quote values holding ';' or '='). It is not shown, since it may hold the password.";
    }
}
