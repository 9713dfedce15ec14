using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Client;

/// <summary>Per-call settings. A null or <see cref="DateTime.MaxValue"/> deadline means none; a deadline must be UTC.</summary>
public readonly record struct CallOptions(Metadata? Headers = null, DateTime? Deadline = null, CancellationToken CancellationToken = default)
{
    // The With* methods mirror Grpc.Core.CallOptions so callers written against it keep compiling.
    public CallOptions WithHeaders(Metadata? headers) => this with { Headers = headers };

    public CallOptions WithDeadline(DateTime? deadline) => this with { Deadline = deadline };

    public CallOptions WithCancellationToken(CancellationToken cancellationToken) => this with { CancellationToken = cancellationToken };
}
