using Grpc.Core;

namespace SpasmPlatform.Console.Platform;

/// <summary>What went wrong, said for the person at the screen: never a stack trace, never a raw status.</summary>
public sealed record Problem(string Message, ProblemKind Kind);

public enum ProblemKind
{
    Failed,
    NotFound,
    Conflict,
    NotAllowed,
    Invalid,
    Unavailable,
}

public static class ServiceErrors
{
    /// <param name="service">"care-plan service": the service the call went to, named in the message.</param>
    public static Problem Explain(RpcException error, string service)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.StatusCode switch
        {
            StatusCode.NotFound => new("Not found: there is no such record in your clinic.", ProblemKind.NotFound),
            StatusCode.Aborted or StatusCode.FailedPrecondition => new("Someone else changed this record while you had it open.", ProblemKind.Conflict),
            StatusCode.PermissionDenied => new("Your role does not allow this.", ProblemKind.NotAllowed),
            StatusCode.Unauthenticated => new($"The {service} did not accept the console's credentials. Sign in again; if this goes on, the console's certificate needs attention.", ProblemKind.NotAllowed),
            // Written by the services for their callers: which field is wrong and why.
            StatusCode.InvalidArgument or StatusCode.OutOfRange => new(Sentence(error.Status.Detail), ProblemKind.Invalid),
            StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.ResourceExhausted => new($"The {service} is not answering right now. Try again in a moment.", ProblemKind.Unavailable),
            _ => new($"The {service} could not do this (it answered {Name(error.StatusCode)}). Try again; if it goes on, tell support the time it happened.", ProblemKind.Failed),
        };
    }

    private static string Sentence(string detail) =>
        string.IsNullOrWhiteSpace(detail) ? "Some of what was entered is not valid." : detail.TrimEnd('.') + ".";

    private static string Name(StatusCode code) =>
        string.Concat(code.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? " " + char.ToLowerInvariant(c) : c.ToString()));
}
