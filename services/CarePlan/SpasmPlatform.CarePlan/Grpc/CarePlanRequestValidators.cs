using SpasmPlatform.CarePlan.V1;
using Grpc.Core;
using SpasmPlatform.ServiceDefaults.Grpc;

namespace SpasmPlatform.CarePlan.Grpc;

/// <summary>Argument checks for every CarePlanService request: each problem becomes a field violation.</summary>
internal sealed class CarePlanRequestValidators :
    IRequestValidator<GetCarePlanRequest>,
    IRequestValidator<ListCarePlansRequest>,
    IRequestValidator<ApproveCarePlanRequest>,
    IRequestValidator<AmendCarePlanRequest>,
    IRequestValidator<RejectCarePlanRequest>
{
    public const int MaxPageSize = 500;
    public const int MaxTextLength = 4000;

    public IEnumerable<FieldViolation> Validate(GetCarePlanRequest request)
    {
        if (request.CarePlanId.Length == 0 && request.AssessmentId.Length == 0)
        {
            yield return new FieldViolation("care_plan_id", "give care_plan_id or assessment_id");
        }
        else if (request.CarePlanId.Length > 0 && request.AssessmentId.Length > 0)
        {
            yield return new FieldViolation("assessment_id", "give either care_plan_id or assessment_id, not both");
        }
    }

    public IEnumerable<FieldViolation> Validate(ListCarePlansRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.ClinicId))
        {
            yield return new FieldViolation("clinic_id", "is required");
        }

        if (!Enum.IsDefined(request.Status))
        {
            yield return new FieldViolation("status", "is not a defined care plan status");
        }

        if (request.PageSize is < 0 or > MaxPageSize)
        {
            yield return new FieldViolation("page_size", $"must be between 0 (default 50) and {MaxPageSize}");
        }

        if (!PageToken.TryDecode(request.PageToken, out _))
        {
            yield return new FieldViolation("page_token", "is not a token this service issued");
        }
    }

    public IEnumerable<FieldViolation> Validate(ApproveCarePlanRequest request) =>
        Review(request.CarePlanId, request.ExpectedVersion, request.PhysiotherapistId).Concat(Length(request.Note, "note"));

    public IEnumerable<FieldViolation> Validate(AmendCarePlanRequest request)
    {
        foreach (var violation in Review(request.CarePlanId, request.ExpectedVersion, request.PhysiotherapistId).Concat(Reason(request.Reason)))
        {
            yield return violation;
        }

        if (request.AddInterventionCodes.Count == 0 && request.RemoveInterventionCodes.Count == 0)
        {
            yield return new FieldViolation("add_intervention_codes", "add or remove at least one intervention code");
        }

        foreach (var (codes, field) in new[] { (request.AddInterventionCodes, "add_intervention_codes"), (request.RemoveInterventionCodes, "remove_intervention_codes") })
        {
            for (var i = 0; i < codes.Count; i++)
            {
                if (codes[i].Length == 0 || codes[i].Length > 100 || !codes[i].All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
                {
                    yield return new FieldViolation($"{field}[{i}]", "must be a lower_snake_case intervention code");
                }
                else if (codes.Take(i).Contains(codes[i]))
                {
                    yield return new FieldViolation($"{field}[{i}]", $"'{codes[i]}' appears more than once");
                }
            }
        }

        foreach (var code in request.AddInterventionCodes.Intersect(request.RemoveInterventionCodes))
        {
            yield return new FieldViolation("remove_intervention_codes", $"'{code}' is both added and removed");
        }
    }

    public IEnumerable<FieldViolation> Validate(RejectCarePlanRequest request) =>
        Review(request.CarePlanId, request.ExpectedVersion, request.PhysiotherapistId).Concat(Reason(request.Reason));

    private static IEnumerable<FieldViolation> Review(string carePlanId, long expectedVersion, string physiotherapistId)
    {
        if (carePlanId.Length == 0)
        {
            yield return new FieldViolation("care_plan_id", "is required");
        }

        if (expectedVersion < 1)
        {
            yield return new FieldViolation("expected_version", "is required: the version of the plan as read (1 or more)");
        }

        if (string.IsNullOrWhiteSpace(physiotherapistId))
        {
            yield return new FieldViolation("physiotherapist_id", "is required: who reviews the plan");
        }
    }

    private static IEnumerable<FieldViolation> Reason(string reason)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            yield return new FieldViolation("reason", "is required");
        }

        foreach (var violation in Length(reason, "reason"))
        {
            yield return violation;
        }
    }

    private static IEnumerable<FieldViolation> Length(string text, string field)
    {
        if (text.Length > MaxTextLength)
        {
            yield return new FieldViolation(field, $"must be at most {MaxTextLength} characters");
        }
    }
}
