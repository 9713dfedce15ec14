using SpasmPlatform.Assessment;

var builder = WebApplication.CreateBuilder(args);
builder.AddAssessmentService();

var app = builder.Build();
app.MapAssessmentService();
app.Run();
