namespace SpasmPlatform.Knowledge.Loading;

/// <summary>A knowledge bundle that must not be used; every problem found is listed, each with its file and item.</summary>
public sealed class KnowledgeValidationException(IReadOnlyList<string> errors)
    : Exception($"The knowledge content is invalid ({errors.Count} problem(s)):{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
