namespace SpasmPlatform.Triage.Findings;

public enum FindingOperator
{
    /// <summary>A bool field is true, or a message field is present.</summary>
    IsSet,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    In,
    Contains,
}
