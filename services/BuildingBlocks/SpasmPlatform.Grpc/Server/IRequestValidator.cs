namespace SpasmPlatform.Grpc.Server;

/// <summary>Checks a request message; every problem is reported, so a clinic system can fix them all at once.</summary>
public interface IRequestValidator<in TRequest>
{
    IEnumerable<FieldViolation> Validate(TRequest request);
}
