using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Common.V1;
using SpasmPlatform.ServiceDefaults.Grpc;

namespace SpasmPlatform.Assessment.Grpc;

/// <summary>
/// Argument checks for every AssessmentService request. Every problem is reported at once, by proto field path,
/// so a clinic system can fix a submission in one round trip; nothing invalid reaches the engine or the store. Ids,
/// enums, texts and pages follow the platform's <see cref="FieldRules"/>; the clinical ranges are this service's own.
/// </summary>
internal sealed class AssessmentRequestValidators :
    IRequestValidator<SubmitAssessmentRequest>,
    IRequestValidator<GetAssessmentRequest>,
    IRequestValidator<ListAssessmentsRequest>,
    IRequestValidator<OverrideTriageRequest>,
    IRequestValidator<EraseClinicalNotesRequest>
{
    public IEnumerable<FieldViolation> Validate(SubmitAssessmentRequest request)
    {
        var violations = new List<FieldViolation>();
        violations.Id(request.RequestId, "request_id");
        violations.Id(request.ClinicId, "clinic_id");
        violations.Id(request.PatientRef, "patient_ref");
        violations.Id(request.ClinicianId, "clinician_id");
        if (request.AgeYears is < 16 or > 120)
        {
            // The guidance the rules come from covers adults and over-16s only.
            violations.Add(new("age_years", "must be between 16 and 120"));
        }

        violations.Defined(request.Sex, "sex");
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

        violations.EachSpecified(request.RiskFactors, "risk_factors");
        violations.EachSpecified(request.CurrentMedications, "current_medications");
        violations.EachSpecified(request.Comorbidities, "comorbidities");
        if (request.StartBack is { } startBack)
        {
            violations.Specified(startBack.Bothersomeness, "start_back.bothersomeness");
        }

        violations.OptionalText(request.ClinicalNotes, "clinical_notes", FieldRules.MaxNotesLength);
        return violations;
    }

    public IEnumerable<FieldViolation> Validate(GetAssessmentRequest request)
    {
        var violations = new List<FieldViolation>();
        violations.Id(request.AssessmentId, "assessment_id");
        return violations;
    }

    public IEnumerable<FieldViolation> Validate(ListAssessmentsRequest request)
    {
        var violations = new List<FieldViolation>();
        violations.Id(request.ClinicId, "clinic_id");
        violations.Defined(request.Urgency, "urgency");
        violations.PageSize(request.PageSize);
        violations.PageToken(request.PageToken, request, out _);
        return violations;
    }

    public IEnumerable<FieldViolation> Validate(OverrideTriageRequest request)
    {
        var violations = new List<FieldViolation>();
        violations.Id(request.AssessmentId, "assessment_id");
        violations.ExpectedVersion(request.ExpectedVersion, "expected_version");
        violations.Specified(request.Urgency, "urgency");
        violations.Id(request.ClinicianId, "clinician_id");
        // An override changes who is seen when; it must say why, for the clinician who reads it next and for audit.
        violations.Text(request.Reason, "reason", FieldRules.MaxReasonLength);
        return violations;
    }

    public IEnumerable<FieldViolation> Validate(EraseClinicalNotesRequest request)
    {
        var violations = new List<FieldViolation>();
        violations.Id(request.ClinicId, "clinic_id");
        violations.Id(request.PatientRef, "patient_ref");
        // Who asked and why are the erasure's record: without them it could not be accounted for.
        violations.Id(request.RequestedBy, "requested_by");
        violations.Text(request.Reason, "reason", FieldRules.MaxReasonLength);
        return violations;
    }

    private static void Presentation(List<FieldViolation> violations, Presentation? presentation)
    {
        if (presentation is null)
        {
            violations.Add(new("presentation", FieldRules.Required));
            return;
        }

        violations.Specified(presentation.Region, "presentation.region");
        violations.Specified(presentation.Onset, "presentation.onset");
        if (presentation.DurationDays is < 0 or > 36500)
        {
            violations.Add(new("presentation.duration_days", "must be between 0 and 36500 days"));
        }

        if (presentation.PainScore is < 0 or > 10)
        {
            violations.Add(new("presentation.pain_score", "must be between 0 and 10"));
        }

        violations.Specified(presentation.LegPain, "presentation.leg_pain");
    }
}
