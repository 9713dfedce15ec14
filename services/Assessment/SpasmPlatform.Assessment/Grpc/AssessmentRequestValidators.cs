using Google.Protobuf.Collections;
using SpasmPlatform.Assessment.Infrastructure;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Common.V1;
using Grpc.Core;
using SpasmPlatform.ServiceDefaults.Grpc;

namespace SpasmPlatform.Assessment.Grpc;

/// <summary>
/// Argument checks for every AssessmentService request. Every problem is reported at once, by proto field path,
/// so a clinic system can fix a submission in one round trip; nothing invalid reaches the engine or the store.
/// </summary>
internal sealed class AssessmentRequestValidators :
    IRequestValidator<SubmitAssessmentRequest>,
    IRequestValidator<GetAssessmentRequest>,
    IRequestValidator<ListAssessmentsRequest>,
    IRequestValidator<OverrideTriageRequest>,
    IRequestValidator<EraseClinicalNotesRequest>
{
    public const int MaxIdLength = 128;
    public const int MaxNotesLength = 8000;
    public const int MaxReasonLength = 2000;
    public const int MaxPageSize = 500;

    public IEnumerable<FieldViolation> Validate(SubmitAssessmentRequest request)
    {
        var violations = new List<FieldViolation>();
        Id(violations, request.RequestId, "request_id");
        Id(violations, request.ClinicId, "clinic_id");
        Id(violations, request.PatientRef, "patient_ref");
        Id(violations, request.ClinicianId, "clinician_id");
        if (request.AgeYears is < 16 or > 120)
        {
            // The guidance the rules come from covers adults and over-16s only.
            violations.Add(new("age_years", "must be between 16 and 120"));
        }

        Defined(violations, request.Sex, "sex");
        Presentation(violations, request.Presentation);
        if (request.Presentation is { HasAgeAtFirstOnsetYears: true } onset && (onset.AgeAtFirstOnsetYears < 0 || onset.AgeAtFirstOnsetYears > request.AgeYears))
        {
            // A first episode after today's age is a data-entry error that would mislead the "first onset after 50" sign.
            violations.Add(new("presentation.age_at_first_onset_years", "must be between 0 and age_years"));
        }
        if (request.Vitals is { } vitals)
        {
            if (vitals.HasTemperatureCelsius && !(vitals.TemperatureCelsius >= 25 && vitals.TemperatureCelsius <= 45))
            {
                violations.Add(new("vitals.temperature_celsius", "must be between 25 and 45 degrees Celsius"));
            }

            if (vitals.HasSystolicBpMmhg && vitals.SystolicBpMmhg is < 30 or > 300)
            {
                violations.Add(new("vitals.systolic_bp_mmhg", "must be between 30 and 300 mmHg"));
            }

            if (vitals.HasHeartRateBpm && vitals.HeartRateBpm is < 20 or > 300)
            {
                violations.Add(new("vitals.heart_rate_bpm", "must be between 20 and 300 beats per minute"));
            }
        }

        Repeated(violations, request.RiskFactors, RiskFactor.Unspecified, "risk_factors");
        Repeated(violations, request.CurrentMedications, Medication.Unspecified, "current_medications");
        Repeated(violations, request.Comorbidities, Comorbidity.Unspecified, "comorbidities");
        if (request.StartBack is { } startBack)
        {
            Specified(violations, startBack.Bothersomeness, Bothersomeness.Unspecified, "start_back.bothersomeness");
        }

        if (request.ClinicalNotes.Length > MaxNotesLength)
        {
            violations.Add(new("clinical_notes", $"must be at most {MaxNotesLength} characters"));
        }

        return violations;
    }

    public IEnumerable<FieldViolation> Validate(GetAssessmentRequest request)
    {
        var violations = new List<FieldViolation>();
        Id(violations, request.AssessmentId, "assessment_id");
        return violations;
    }

    public IEnumerable<FieldViolation> Validate(ListAssessmentsRequest request)
    {
        var violations = new List<FieldViolation>();
        Id(violations, request.ClinicId, "clinic_id");
        Defined(violations, request.Urgency, "urgency");
        if (request.PageSize is < 0 or > MaxPageSize)
        {
            violations.Add(new("page_size", $"must be between 0 (the default, {AssessmentRepository.DefaultPageSize}) and {MaxPageSize}"));
        }

        if (request.PageToken.Length > 0)
        {
            if (!PageToken.TryDecode(request.PageToken, out var token))
            {
                violations.Add(new("page_token", "is not a token this service issued"));
            }
            else if (!token.Matches(request.ClinicId, request.Urgency))
            {
                violations.Add(new("page_token", "was issued for another clinic_id or urgency; keep the filter while paging"));
            }
        }

        return violations;
    }

    public IEnumerable<FieldViolation> Validate(OverrideTriageRequest request)
    {
        var violations = new List<FieldViolation>();
        Id(violations, request.AssessmentId, "assessment_id");
        if (request.ExpectedVersion < 1)
        {
            violations.Add(new("expected_version", "must be the assessment's current version (1 or more)"));
        }

        Specified(violations, request.Urgency, Urgency.Unspecified, "urgency");
        Id(violations, request.ClinicianId, "clinician_id");
        if (string.IsNullOrWhiteSpace(request.Reason))
        {
            // An override changes who is seen when; it must say why, for the clinician who reads it next and for audit.
            violations.Add(new("reason", "is required"));
        }
        else if (request.Reason.Length > MaxReasonLength)
        {
            violations.Add(new("reason", $"must be at most {MaxReasonLength} characters"));
        }

        return violations;
    }

    public IEnumerable<FieldViolation> Validate(EraseClinicalNotesRequest request)
    {
        var violations = new List<FieldViolation>();
        Id(violations, request.ClinicId, "clinic_id");
        Id(violations, request.PatientRef, "patient_ref");
        // Who asked and why are the erasure's record: without them it could not be accounted for.
        Id(violations, request.RequestedBy, "requested_by");
        if (string.IsNullOrWhiteSpace(request.Reason))
        {
            violations.Add(new("reason", "is required"));
        }
        else if (request.Reason.Length > MaxReasonLength)
        {
            violations.Add(new("reason", $"must be at most {MaxReasonLength} characters"));
        }

        return violations;
    }

    private static void Presentation(List<FieldViolation> violations, Presentation? presentation)
    {
        if (presentation is null)
        {
            violations.Add(new("presentation", "is required"));
            return;
        }

        Specified(violations, presentation.Region, BodyRegion.Unspecified, "presentation.region");
        Specified(violations, presentation.Onset, Onset.Unspecified, "presentation.onset");
        if (presentation.DurationDays is < 0 or > 36500)
        {
            violations.Add(new("presentation.duration_days", "must be between 0 and 36500 days"));
        }

        if (presentation.PainScore is < 0 or > 10)
        {
            violations.Add(new("presentation.pain_score", "must be between 0 and 10"));
        }

        Specified(violations, presentation.LegPain, LegPain.Unspecified, "presentation.leg_pain");
    }

    /// <summary>Identifiers: required, bounded, and printable (they end up in logs, headers and queries).</summary>
    private static void Id(List<FieldViolation> violations, string value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            violations.Add(new(field, "is required"));
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

    private static void Defined<TEnum>(List<FieldViolation> violations, TEnum value, string field)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            violations.Add(new(field, $"{Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)} is not a defined value"));
        }
    }

    private static void Specified<TEnum>(List<FieldViolation> violations, TEnum value, TEnum unspecified, string field)
        where TEnum : struct, Enum
    {
        if (EqualityComparer<TEnum>.Default.Equals(value, unspecified))
        {
            violations.Add(new(field, "is required (UNSPECIFIED is not a value)"));
        }
        else
        {
            Defined(violations, value, field);
        }
    }

    private static void Repeated<TEnum>(List<FieldViolation> violations, RepeatedField<TEnum> values, TEnum unspecified, string field)
        where TEnum : struct, Enum
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (EqualityComparer<TEnum>.Default.Equals(values[i], unspecified) || !Enum.IsDefined(values[i]))
            {
                violations.Add(new($"{field}[{i}]", "must be a defined value other than UNSPECIFIED"));
            }
        }
    }
}
