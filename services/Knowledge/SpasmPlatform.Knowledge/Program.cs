using SpasmPlatform.Knowledge;
using SpasmPlatform.ServiceDefaults;

return ServiceHost.Run(args, builder => builder.AddKnowledgeService(), app => app.MapKnowledgeService());
