namespace SpasmPlatform.EventStore.Projections;

/// <summary>
/// "Every global position up to <see cref="UpTo"/> is final (committed and visible, or never to appear) as soon as no
/// transaction older than <see cref="Xid"/> is still running."
/// </summary>
/// <remarks>
/// Why it holds: <see cref="UpTo"/> was visible in the snapshot of the statement that assigned <see cref="Xid"/>, so every
/// position up to it had been handed out before that xid existed. append_events gives its transaction an xid (the
/// streams row lock or insert) before it draws a position, and xids are handed out in increasing order, so whoever holds
/// such a position has an xid below <see cref="Xid"/>. Once pg_snapshot_xmin reaches <see cref="Xid"/>, all of those
/// transactions have committed or rolled back.
/// </remarks>
internal readonly record struct VisibilityFence(long UpTo, ulong Xid)
{
    public bool Covers(long position) => position <= UpTo;

    public bool IsPassedBy(ulong snapshotXmin) => snapshotXmin >= Xid;
}
