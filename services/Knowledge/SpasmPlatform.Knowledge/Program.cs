using SpasmPlatform.Knowledge;

var builder = WebApplication.CreateBuilder(args);
builder.AddKnowledgeService();

var app = builder.Build();
app.MapKnowledgeService();
app.Run();
