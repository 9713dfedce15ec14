namespace SpasmPlatform.Triage.Findings;

/// <summary>A finding predicate that does not fit the submission contract; the message says exactly what and where.</summary>
public sealed class FindingPredicateException(string message) : Exception(message);
