using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.ServiceDefaults.Grpc;

namespace SpasmPlatform.CarePlan.Grpc;

/// <summary>
/// Argument checks for every CarePlanService request, on the platform's <see cref="FieldRules"/>: each problem becomes
/// a field violation, all reported at once.
/// </summary>
internal sealed class CarePlanRequestValidators :
    IRequestValidator<GetCarePlanRequest>,
    IRequestValidator<ListCarePlansRequest>,
    IRequestValidator<ApproveCarePlanRequest>,
    IRequestValidator<AmendCarePlanRequest>,
    IRequestValidator<RejectCarePlanRequest>
{
    public IEnumerable<FieldViolation> Validate(GetCarePlanRequest request)
    {
        var violations = new List<FieldViolation>();
        if (request.CarePlanId.Length == 0 && request.AssessmentId.Length == 0)
        {
            violations.Add(new("care_plan_id", "give care_plan_id or assessment_id"));
        }
        else if (request.CarePlanId.Length > 0 && request.AssessmentId.Length > 0)
        {
            violations.Add(new("assessment_id", "give either care_plan_id or assessment_id, not both"));
        }
        else
        {
            violations.OptionalId(request.CarePlanId, "care_plan_id");
            violations.OptionalId(request.AssessmentId, "assessment_id");
        }

        return violations;
    }

    public IEnumerable<FieldViolation> Validate(ListCarePlansRequest request)
    {
        var violations = new List<FieldViolation>();
        violations.Id(request.ClinicId, "clinic_id");
        violations.Defined(request.Status, "status");
        violations.PageSize(request.PageSize);
        violations.PageToken(request.PageToken, request, out _);
        return violations;
    }

    public IEnumerable<FieldViolation> Validate(ApproveCarePlanRequest request)
    {
        var violations = Review(request.CarePlanId, request.ExpectedVersion, request.PhysiotherapistId);
        violations.OptionalText(request.Note, "note", FieldRules.MaxReasonLength);
        return violations;
    }

    public IEnumerable<FieldViolation> Validate(AmendCarePlanRequest request)
    {
        var violations = Review(request.CarePlanId, request.ExpectedVersion, request.PhysiotherapistId);
        violations.Text(request.Reason, "reason", FieldRules.MaxReasonLength);
        if (request.AddInterventionCodes.Count == 0 && request.RemoveInterventionCodes.Count == 0)
        {
            violations.Add(new("add_intervention_codes", "add or remove at least one intervention code"));
        }

        foreach (var (codes, field) in new[] { (request.AddInterventionCodes, "add_intervention_codes"), (request.RemoveInterventionCodes, "remove_intervention_codes") })
        {
            for (var i = 0; i < codes.Count; i++)
            {
                if (!FieldRules.IsCode(codes[i]))
                {
                    violations.Code(codes[i], $"{field}[{i}]", "intervention");
                }
                else if (codes.Take(i).Contains(codes[i]))
                {
                    violations.Add(new($"{field}[{i}]", $"'{codes[i]}' appears more than once"));
                }
            }
        }

        foreach (var code in request.AddInterventionCodes.Intersect(request.RemoveInterventionCodes))
        {
            violations.Add(new("remove_intervention_codes", $"'{code}' is both added and removed"));
        }

        return violations;
    }

    public IEnumerable<FieldViolation> Validate(RejectCarePlanRequest request)
    {
        var violations = Review(request.CarePlanId, request.ExpectedVersion, request.PhysiotherapistId);
        violations.Text(request.Reason, "reason", FieldRules.MaxReasonLength);
        return violations;
    }

    /// <summary>What every review names: the plan, the version the physiotherapist read, and the physiotherapist (the event's actor).</summary>
    private static List<FieldViolation> Review(string carePlanId, long expectedVersion, string physiotherapistId)
    {
        var violations = new List<FieldViolation>();
        violations.Id(carePlanId, "care_plan_id");
        violations.ExpectedVersion(expectedVersion, "expected_version");
        violations.Id(physiotherapistId, "physiotherapist_id");
        return violations;
    }
}
