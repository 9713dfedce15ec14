namespace SpasmPlatform.Grpc.Server;

/// <summary>One invalid field, by its proto field path (e.g. "presentation.pain_score").</summary>
public readonly record struct FieldViolation(string Field, string Description);
