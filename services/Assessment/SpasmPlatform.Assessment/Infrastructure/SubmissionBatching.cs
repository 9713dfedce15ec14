using System.ComponentModel.DataAnnotations;

namespace SpasmPlatform.Assessment.Infrastructure;

/// <summary>How submissions that arrive together share a transaction ("Assessment:SubmitBatching").</summary>
public sealed class SubmissionBatching
{
    public const string Section = "Assessment:SubmitBatching";

    /// <summary>At most this many submissions per transaction.</summary>
    [Range(1, 1000)]
    public int MaxBatch { get; set; } = 64;

    /// <summary>Transactions in flight at once: one commits while the next is written.</summary>
    [Range(1, 64)]
    public int Writers { get; set; } = 2;
}
