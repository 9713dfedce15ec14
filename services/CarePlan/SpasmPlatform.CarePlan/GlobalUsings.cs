// Aliases that name generated or contract types the same way in every file of this service.
global using TriageResult = SpasmPlatform.Assessment.V1.Triage;
global using Integration = SpasmPlatform.Contracts.IntegrationEvents;
global using AssessmentMessage = SpasmPlatform.Assessment.V1.Assessment;
