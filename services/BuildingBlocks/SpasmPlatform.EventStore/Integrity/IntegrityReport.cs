namespace SpasmPlatform.EventStore.Integrity;

public sealed record IntegrityReport(bool Intact, long EventsChecked, IReadOnlyList<IntegrityBreak> Breaks);
