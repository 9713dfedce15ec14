using SpasmPlatform.Audit.V1;
using Grpc.Core;
using SpasmPlatform.ServiceDefaults.Grpc;

namespace SpasmPlatform.Audit;

/// <summary>Argument checks for every AuditService request, the same on both services; every problem is reported at once.</summary>
public sealed class AuditRequestValidators :
    IRequestValidator<GetDecisionTraceRequest>,
    IRequestValidator<StreamHistoryRequest>,
    IRequestValidator<ReplayDecisionRequest>,
    IRequestValidator<VerifyIntegrityRequest>,
    IRequestValidator<GetStateAtRequest>,
    IRequestValidator<ListAccessEventsRequest>
{
    public const int MaxIdLength = 200;

    // 9999-12-31T23:59:59Z, the last second a protobuf Timestamp (and DateTimeOffset) can hold.
    private const long MaxTimestampSeconds = 253_402_300_799;

    public IEnumerable<FieldViolation> Validate(GetDecisionTraceRequest request)
    {
        var violations = new List<FieldViolation>();
        Id(violations, request.AssessmentId, "assessment_id", required: true);
        return violations;
    }

    public IEnumerable<FieldViolation> Validate(ListAccessEventsRequest request)
    {
        var violations = new List<FieldViolation>();
        if (request.From is null)
        {
            violations.Add(new("from", "is required: the start of the period"));
        }
        else if (request.From.Seconds is < 0 or > MaxTimestampSeconds || request.From.Nanos is < 0 or > 999_999_999)
        {
            violations.Add(new("from", "is not a valid timestamp"));
        }
        else if (request.To is not null)
        {
            if (request.To.Nanos is < 0 or > 999_999_999 || request.To.Seconds > MaxTimestampSeconds || request.To.Seconds <= request.From.Seconds)
            {
                violations.Add(new("to", "must be a valid timestamp after from"));
            }
            else if (request.To.Seconds - request.From.Seconds > AccessLogQuery.MaxDays * 86_400L)
            {
                violations.Add(new("to", $"the period is at most {AccessLogQuery.MaxDays} days"));
            }
        }

        if (request.PageSize is < 0 or > AccessLogQuery.MaxPageSize)
        {
            violations.Add(new("page_size", $"must be 0 (default {AccessLogQuery.DefaultPageSize}) to {AccessLogQuery.MaxPageSize}"));
        }

        if (request.PageToken.Length > 0 && !AccessLogQuery.TryParseToken(request.PageToken, out _))
        {
            violations.Add(new("page_token", "is not a token this service issued"));
        }

        Id(violations, request.Caller, "caller", required: false);
        Id(violations, request.ClinicId, "clinic_id", required: false);
        Id(violations, request.PatientRef, "patient_ref", required: false);
        Id(violations, request.AssessmentId, "assessment_id", required: false);
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
        Id(violations, request.AssessmentId, "assessment_id", required: true);
        Id(violations, request.CarePlanId, "care_plan_id", required: false);
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
        Id(violations, request.AssessmentId, "assessment_id", required: true);
        switch (request.AtCase)
        {
            case GetStateAtRequest.AtOneofCase.None:
                violations.Add(new("version", "or timestamp is required"));
                break;
            case GetStateAtRequest.AtOneofCase.Version when request.Version < 1:
                violations.Add(new("version", "must be 1 or more"));
                break;
            case GetStateAtRequest.AtOneofCase.Timestamp when request.Timestamp.Seconds < 0 || request.Timestamp.Nanos is < 0 or > 999_999_999:
                violations.Add(new("timestamp", "must be a valid time after 1970-01-01"));
                break;
        }

        return violations;
    }

    private static void OneStream(List<FieldViolation> violations, string streamId, string assessmentId)
    {
        Id(violations, streamId, "stream_id", required: false);
        Id(violations, assessmentId, "assessment_id", required: false);
        if (streamId.Length > 0 && assessmentId.Length > 0)
        {
            violations.Add(new("stream_id", "give stream_id or assessment_id, not both"));
        }
    }

    private static void Id(List<FieldViolation> violations, string value, string field, bool required)
    {
        if (value.Length == 0)
        {
            if (required)
            {
                violations.Add(new(field, "is required"));
            }
        }
        else if (string.IsNullOrWhiteSpace(value))
        {
            violations.Add(new(field, "must not be blank"));
        }
        else if (value.Length > MaxIdLength)
        {
            violations.Add(new(field, $"must be at most {MaxIdLength} characters"));
        }
        else if (value.Any(char.IsControl))
        {
            violations.Add(new(field, "must not contain control characters"));
        }
    }
}
