using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SpasmPlatform.IntegrationTests.Infrastructure;
using SpasmPlatform.ServiceDefaults;

namespace SpasmPlatform.IntegrationTests.Hosts;

/// <summary>The bus every service builds reports nothing to MassTransit's vendor (it does by default).</summary>
public sealed class UsageTelemetryTests
{
    [Fact]
    public async Task A_services_bus_has_usage_telemetry_off()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration["ConnectionStrings:Postgres"] = Platform.Postgres;
        builder.Configuration["ConnectionStrings:RabbitMq"] = Platform.RabbitMq;
        builder.Configuration["Security:Mode"] = "Development";
        builder.AddServiceDefaults(new ServiceInfo("telemetry-probe", 5199), eventStoreSchema: "telemetry_probe");
        await using var app = builder.Build();

        var options = app.Services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value;

        Assert.False(options.Enabled);
    }
}
