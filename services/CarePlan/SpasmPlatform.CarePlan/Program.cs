using SpasmPlatform.CarePlan;

var builder = WebApplication.CreateBuilder(args);
builder.AddCarePlanService();

var app = builder.Build();
app.MapCarePlanService();
app.Run();
