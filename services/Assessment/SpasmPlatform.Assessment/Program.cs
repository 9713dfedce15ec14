using SpasmPlatform.Assessment;
using SpasmPlatform.ServiceDefaults;

return ServiceHost.Run(args, builder => builder.AddAssessmentService(), app => app.MapAssessmentService());
