namespace SpasmPlatform.CarePlan.Domain;

/// <summary>No plan has the requested id (or the assessment has none yet).</summary>
public sealed class CarePlanNotFoundException(string message) : Exception(message);
