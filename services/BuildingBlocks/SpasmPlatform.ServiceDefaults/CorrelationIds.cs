using System.Diagnostics;
using Grpc.Core;
using SpasmPlatform.ServiceDefaults.Grpc;

namespace SpasmPlatform.ServiceDefaults;

/// <summary>The correlation id a call's events are stored with.</summary>
public static class CorrelationIds
{
    public const string Header = "x-correlation-id";

    /// <summary>
    /// The trace id while a recorded trace is active, so that an event leads to its trace and a trace to its events;
    /// otherwise the caller's x-correlation-id, then the id of the unrecorded trace the logs carry, then a new one.
    /// </summary>
    public static string For(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var current = Activity.Current;
        if (current is { Recorded: true, IdFormat: ActivityIdFormat.W3C })
        {
            return current.TraceId.ToHexString();
        }

        // Read from the HTTP request, not ServerCallContext.RequestHeaders: building that Metadata decodes every "-bin"
        // header, and a caller's malformed one would fail this call with UNKNOWN (found by the fuzzer).
        if (context.GetHttpContext().Request.Headers[Header].ToString() is var given && FieldRules.IsId(given))
        {
            return given;
        }

        return current is { IdFormat: ActivityIdFormat.W3C } ? current.TraceId.ToHexString() : Guid.NewGuid().ToString("N");
    }
}
