namespace SpasmPlatform.ServiceDefaults.Grpc;

/// <summary>One invalid field, by its proto field path (e.g. "presentation.pain_score").</summary>
public readonly record struct FieldViolation(string Field, string Description);

/// <summary>Checks a request message; every problem is reported, so a clinic system can fix them all at once.</summary>
public interface IRequestValidator<in TRequest>
{
    IEnumerable<FieldViolation> Validate(TRequest request);
}
