using SpasmPlatform.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(new ServiceInfo("care-plan", 5103), eventStoreSchema: "careplan");

var app = builder.Build();
app.MapServiceDefaults();
app.Run();
