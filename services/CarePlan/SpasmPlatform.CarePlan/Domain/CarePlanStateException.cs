namespace SpasmPlatform.CarePlan.Domain;

/// <summary>The plan's status does not allow this review (e.g. approving a rejected or superseded plan).</summary>
public sealed class CarePlanStateException(string message) : Exception(message);
