using SpasmPlatform.Audit.V1;
using SpasmPlatform.ServiceDefaults.Grpc;

namespace SpasmPlatform.Audit;

/// <summary>
/// Argument checks for every AuditService request, the same on both services and on the platform's
/// <see cref="FieldRules"/>; every problem is reported at once.
/// </summary>
public sealed class AuditRequestValidators :
    IRequestValidator<GetDecisionTraceRequest>,
    IRequestValidator<StreamHistoryRequest>,
    IRequestValidator<ReplayDecisionRequest>,
    IRequestValidator<VerifyIntegrityRequest>,
    IRequestValidator<GetStateAtRequest>,
    IRequestValidator<ListAccessEventsRequest>,
    IRequestValidator<FindAssessmentsRequest>
{
    /// <summary>A search page names up to four records per summary in the access log; 100 keeps that record small.</summary>
    public const int FindAssessmentsMaxPageSize = 100;

    public IEnumerable<FieldViolation> Validate(GetDecisionTraceRequest request)
    {
        var violations = new List<FieldViolation>();
        violations.Id(request.AssessmentId, "assessment_id");
        return violations;
    }

    public IEnumerable<FieldViolation> Validate(ListAccessEventsRequest request)
    {
        var violations = new List<FieldViolation>();
        violations.Time(request.From, "from");
        violations.OptionalTime(request.To, "to");
        if (request.To is not null && FieldRules.IsValidTime(request.To) && request.From is not null && FieldRules.IsValidTime(request.From))
        {
            if (request.To.CompareTo(request.From) <= 0)
            {
                violations.Add(new("to", "must be after from"));
            }
            else if (request.To.Seconds - request.From.Seconds > AccessLogQuery.MaxDays * 86_400L)
            {
                violations.Add(new("to", $"the period is at most {AccessLogQuery.MaxDays} days"));
            }
        }

        violations.PageSize(request.PageSize, "page_size", AccessLogQuery.DefaultPageSize, AccessLogQuery.MaxPageSize);
        if (violations.PageToken(request.PageToken, request, out var position) && !AccessLogQuery.TryReadDay(position, out _))
        {
            violations.Add(new("page_token", PageToken.Describe(PageTokenReading.NotIssued, request)));
        }

        violations.OptionalCaller(request.Caller, "caller");
        violations.OptionalId(request.ClinicId, "clinic_id");
        violations.OptionalId(request.PatientRef, "patient_ref");
        violations.OptionalId(request.AssessmentId, "assessment_id");
        return violations;
    }

    public IEnumerable<FieldViolation> Validate(FindAssessmentsRequest request)
    {
        var violations = new List<FieldViolation>();
        violations.OptionalId(request.PatientRef, "patient_ref");
        violations.OptionalId(request.ClinicId, "clinic_id");
        violations.OptionalTime(request.SubmittedFrom, "submitted_from");
        violations.OptionalTime(request.SubmittedTo, "submitted_to");

        // A search that names neither would page through every assessment of every clinic: an auditor's question
        // always has a patient or a time in it.
        if (request.PatientRef.Length == 0 && request.SubmittedFrom is null)
        {
            violations.Add(new("patient_ref", "name a patient, or the start of a period in submitted_from"));
        }

        if (request.SubmittedFrom is { } from && request.SubmittedTo is { } to && FieldRules.IsValidTime(from) && FieldRules.IsValidTime(to) && to.CompareTo(from) <= 0)
        {
            violations.Add(new("submitted_to", "must be after submitted_from"));
        }

        violations.PageSize(request.PageSize, "page_size", FieldRules.DefaultPageSize, FindAssessmentsMaxPageSize);
        violations.PageToken(request.PageToken, request, out _);
        return violations;
    }

    public IEnumerable<FieldViolation> Validate(StreamHistoryRequest request)
    {
        var violations = new List<FieldViolation>();
        OneStream(violations, request.StreamId, request.AssessmentId);
        var oneStream = request.StreamId.Length > 0 || request.AssessmentId.Length > 0;
        if (request.FromVersion < 0)
        {
            violations.Add(new("from_version", "must not be negative"));
        }
        else if (request.FromVersion > 0 && !oneStream)
        {
            violations.Add(new("from_version", "applies to one stream: set stream_id or assessment_id, or use from_global_position"));
        }

        if (request.FromGlobalPosition < 0)
        {
            violations.Add(new("from_global_position", "must not be negative"));
        }
        else if (request.FromGlobalPosition > 0 && oneStream)
        {
            violations.Add(new("from_global_position", "applies to every stream: leave stream_id and assessment_id empty, or use from_version"));
        }

        if (request.Limit < 0)
        {
            violations.Add(new("limit", "must not be negative (0 = no limit)"));
        }

        return violations;
    }

    public IEnumerable<FieldViolation> Validate(ReplayDecisionRequest request)
    {
        var violations = new List<FieldViolation>();
        violations.Id(request.AssessmentId, "assessment_id");
        violations.OptionalId(request.CarePlanId, "care_plan_id");
        return violations;
    }

    public IEnumerable<FieldViolation> Validate(VerifyIntegrityRequest request)
    {
        var violations = new List<FieldViolation>();
        OneStream(violations, request.StreamId, request.AssessmentId);
        return violations;
    }

    public IEnumerable<FieldViolation> Validate(GetStateAtRequest request)
    {
        var violations = new List<FieldViolation>();
        violations.Id(request.AssessmentId, "assessment_id");
        switch (request.AtCase)
        {
            case GetStateAtRequest.AtOneofCase.None:
                violations.Add(new("version", "or timestamp is required"));
                break;
            case GetStateAtRequest.AtOneofCase.Version when request.Version < 1:
                violations.Add(new("version", "must be 1 or more"));
                break;
            case GetStateAtRequest.AtOneofCase.Timestamp:
                violations.OptionalTime(request.Timestamp, "timestamp");
                break;
        }

        return violations;
    }

    private static void OneStream(List<FieldViolation> violations, string streamId, string assessmentId)
    {
        violations.OptionalId(streamId, "stream_id");
        violations.OptionalId(assessmentId, "assessment_id");
        if (streamId.Length > 0 && assessmentId.Length > 0)
        {
            violations.Add(new("stream_id", "give stream_id or assessment_id, not both"));
        }
    }
}
