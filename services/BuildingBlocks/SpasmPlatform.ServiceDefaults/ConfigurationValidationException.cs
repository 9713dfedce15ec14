namespace SpasmPlatform.ServiceDefaults;

/// <summary>
/// Settings a service cannot start with, every problem listed. <see cref="ServiceHost.Run"/> prints them and exits
/// with code 78 (EX_CONFIG) instead of a stack trace: the operator needs the setting's name, not our call stack.
/// </summary>
public sealed class ConfigurationValidationException(IReadOnlyList<string> problems)
    : Exception("The service cannot start with this configuration:" + string.Concat(problems.Select(p => Environment.NewLine + "  - " + p)))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
