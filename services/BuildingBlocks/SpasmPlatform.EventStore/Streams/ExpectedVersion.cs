namespace SpasmPlatform.EventStore.Streams;

/// <summary>What the writer believes about the stream: checked atomically with the append.</summary>
public readonly record struct ExpectedVersion(long Value)
{
    /// <summary>Append whatever the stream's version.</summary>
    public static readonly ExpectedVersion Any = new(-2);

    /// <summary>The stream must not exist yet.</summary>
    public static readonly ExpectedVersion NoStream = new(-1);

    /// <summary>The stream must be at exactly this version (0: must not exist).</summary>
    public static ExpectedVersion Exactly(long version) =>
        version >= 0 ? new ExpectedVersion(version) : throw new ArgumentOutOfRangeException(nameof(version), version, "A stream version is never negative.");

    public override string ToString() => Value switch
    {
        -2 => "any",
        -1 => "no stream",
        _ => Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
