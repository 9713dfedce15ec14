// Aliases that name generated or contract types the same way in every file of this service.
global using AssessmentMessage = SpasmPlatform.Assessment.V1.Assessment;
global using Integration = SpasmPlatform.Contracts.IntegrationEvents;
