using Google.Protobuf;

namespace SpasmPlatform.ServiceDefaults.Security;

/// <summary>
/// A service's answer to "which clinic owns the record this request names?" (an assessment id, a care plan id), asked
/// before the handler runs so that a clinic-bound caller can neither read nor change another clinic's records,
/// whatever ids it sends. Null: the request names no record, or one that does not exist (the handler says so).
/// </summary>
public interface IResourceOwnership
{
    ValueTask<string?> OwningClinicAsync(IMessage request, CancellationToken cancellationToken);
}
