namespace SpasmPlatform.Fuzzing;

/// <summary>A request that got an improper answer (or left the service unhealthy), with what was wrong.</summary>
public sealed record Finding(string Endpoint, HostileRequest Request, string Reason, int Seed, int Iteration)
{
    /// <summary>Groups findings that are the same bug: the RPC and the reason without numbers and ids.</summary>
    public string Key => $"{Request.Path} {System.Text.RegularExpressions.Regex.Replace(Reason, "[0-9a-f]{8,}|[0-9]+", "#")}";

    public override string ToString() =>
        $"{Endpoint} {Request.Describe()}: {Reason} (seed {Seed}, iteration {Iteration})";
}
