using System.Collections.Frozen;

namespace SpasmPlatform.ServiceDefaults.Security;

/// <summary>
/// The role matrix, in one place for every service so that it can be read (and tested) whole. A method missing here
/// is refused to everyone: new RPCs stay closed until someone decides who may call them.
/// </summary>
public static class AccessPolicy
{
    // The console is not a caller of its own: only the people it signs in are (see Roles.Console).
    private static readonly IReadOnlySet<string> Everyone = Roles.All.Where(role => role != Roles.Console).ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, MethodAccess> Methods = new Dictionary<string, MethodAccess>(StringComparer.Ordinal)
    {
        // Clinic systems own their clinic's assessments.
        ["/spasm.assessment.v1.AssessmentService/SubmitAssessment"] = new(Set(Roles.ClinicSystem)),
        ["/spasm.assessment.v1.AssessmentService/GetAssessment"] = new(Set(Roles.ClinicSystem), ReadsPatientData: true),
        ["/spasm.assessment.v1.AssessmentService/ListAssessments"] = new(Set(Roles.ClinicSystem), ReadsPatientData: true),
        ["/spasm.assessment.v1.AssessmentService/OverrideTriage"] = new(Set(Roles.ClinicSystem)),
        ["/spasm.assessment.v1.AssessmentService/EraseClinicalNotes"] = new(Set(Roles.DataController)),

        // Physiotherapists review their clinic's plans.
        ["/spasm.careplan.v1.CarePlanService/GetCarePlan"] = new(Set(Roles.Physiotherapist), ReadsPatientData: true),
        ["/spasm.careplan.v1.CarePlanService/ListCarePlans"] = new(Set(Roles.Physiotherapist), ReadsPatientData: true),
        ["/spasm.careplan.v1.CarePlanService/ApproveCarePlan"] = new(Set(Roles.Physiotherapist)),
        ["/spasm.careplan.v1.CarePlanService/AmendCarePlan"] = new(Set(Roles.Physiotherapist)),
        ["/spasm.careplan.v1.CarePlanService/RejectCarePlan"] = new(Set(Roles.Physiotherapist)),

        // Auditors read everything, change nothing; the assessment service asks the care-plan service for a plan's
        // part of a decision trace under its own (service) identity.
        ["/spasm.audit.v1.AuditService/GetDecisionTrace"] = new(Set(Roles.Auditor, Roles.Service), ReadsPatientData: true),
        ["/spasm.audit.v1.AuditService/StreamHistory"] = new(Set(Roles.Auditor), ReadsPatientData: true),
        ["/spasm.audit.v1.AuditService/ReplayDecision"] = new(Set(Roles.Auditor), ReadsPatientData: true),
        ["/spasm.audit.v1.AuditService/VerifyIntegrity"] = new(Set(Roles.Auditor)),
        ["/spasm.audit.v1.AuditService/GetStateAt"] = new(Set(Roles.Auditor), ReadsPatientData: true),
        ["/spasm.audit.v1.AuditService/ListAccessEvents"] = new(Set(Roles.Auditor), ReadsPatientData: true),
        ["/spasm.audit.v1.AuditService/FindAssessments"] = new(Set(Roles.Auditor), ReadsPatientData: true),

        // Clinical knowledge is not patient data: every authenticated caller reads it; only editors publish.
        ["/spasm.knowledge.v1.KnowledgeService/GetRuleSet"] = new(Everyone),
        ["/spasm.knowledge.v1.KnowledgeService/ListConditions"] = new(Everyone),
        ["/spasm.knowledge.v1.KnowledgeService/GetCondition"] = new(Everyone),
        ["/spasm.knowledge.v1.KnowledgeService/ListInterventions"] = new(Everyone),
        ["/spasm.knowledge.v1.KnowledgeService/Search"] = new(Everyone),
        ["/spasm.knowledge.v1.KnowledgeService/ListVersions"] = new(Everyone),
        ["/spasm.knowledge.v1.KnowledgeService/GetKnowledgeBase"] = new(Everyone),
        ["/spasm.knowledge.v1.KnowledgeService/PublishVersion"] = new(Set(Roles.KnowledgeEditor)),

        // Probes (load balancers, Kubernetes) carry no certificate; health reveals nothing but SERVING or not.
        ["/grpc.health.v1.Health/Check"] = new(Everyone, Anonymous: true),
        ["/grpc.health.v1.Health/Watch"] = new(Everyone, Anonymous: true),
        ["/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"] = new(Everyone),
        ["/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"] = new(Everyone),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static IReadOnlyDictionary<string, MethodAccess> All => Methods;

    /// <summary>The rule for "/package.Service/Method"; null: nobody may call it.</summary>
    public static MethodAccess? For(string method) => Methods.GetValueOrDefault(method);

    private static FrozenSet<string> Set(params string[] roles) => roles.ToFrozenSet(StringComparer.Ordinal);
}
