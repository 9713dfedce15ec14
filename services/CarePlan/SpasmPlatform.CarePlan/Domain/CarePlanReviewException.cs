using Grpc.Core;
using SpasmPlatform.ServiceDefaults.Grpc;

namespace SpasmPlatform.CarePlan.Domain;

/// <summary>A review that names what the plan's knowledge version does not hold: each problem is a field violation.</summary>
public sealed class CarePlanReviewException(IReadOnlyList<FieldViolation> violations)
    : Exception($"The review is invalid: {string.Join("; ", violations.Select(v => $"{v.Field}: {v.Description}"))}")
{
    public IReadOnlyList<FieldViolation> Violations { get; } = violations;
}
