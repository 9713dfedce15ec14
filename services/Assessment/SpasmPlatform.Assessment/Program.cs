using SpasmPlatform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(new ServiceInfo("assessment", 5101), eventStoreSchema: "assessment");

var app = builder.Build();
app.MapServiceDefaults();
app.Run();
