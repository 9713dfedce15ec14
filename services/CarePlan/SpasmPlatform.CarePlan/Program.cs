using SpasmPlatform.CarePlan;
using SpasmPlatform.ServiceDefaults;

return ServiceHost.Run(args, builder => builder.AddCarePlanService(), app => app.MapCarePlanService());
