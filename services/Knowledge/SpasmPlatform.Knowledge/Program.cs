using SpasmPlatform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(new ServiceInfo("knowledge", 5102), eventStoreSchema: "knowledge");

var app = builder.Build();
app.MapServiceDefaults();
app.Run();
