using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.IntegrationTests.EventStore;

public sealed record PainRecorded(int Score, string Region);

public sealed record ProbeRecorded(int Sequence);

internal static class TestEvents
{
    public const string PainRecordedName = "pain_recorded";
    public const string ProbeRecordedName = "probe_recorded";

    public static readonly EventMetadata Metadata = new("corr-1", "cause-1", "clinician-7", "clinic-1", new Dictionary<string, string> { ["source"] = "test" });

    public static NewEvent Pain(int score, string region = "lower_back", Guid? id = null) =>
        new(id ?? Guid.NewGuid(), PainRecordedName, new PainRecorded(score, region), Metadata);

    public static NewEvent[] Pains(params int[] scores) => scores.Select(s => Pain(s)).ToArray();
}
