namespace SpasmPlatform.Privacy.Tests;

public sealed class SealedNotesTests
{
    [Fact]
    public void Text_form_round_trips()
    {
        var notes = new SealedNotes(12, [1, 2, 3, 250, 251]);

        var text = notes.Format();
        var parsed = SealedNotes.Parse(text);

        Assert.StartsWith("v1.12.", text, StringComparison.Ordinal);
        Assert.Equal(12, parsed.KeyGeneration);
        Assert.Equal(notes.Bytes, parsed.Bytes);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("plain clinical notes")]
    [InlineData("v2.1.AAAA")]
    [InlineData("v1.AAAA")]
    [InlineData("v1.-1.AAAA")]
    [InlineData("v1.1.not*base64")]
    public void Anything_else_is_not_sealed_notes(string? text)
    {
        Assert.False(SealedNotes.TryParse(text, out _));
    }

    [Fact]
    public void Associated_data_keeps_part_boundaries()
    {
        Assert.NotEqual(AssociatedData.ForNotes("ab", "c", "x", 1), AssociatedData.ForNotes("a", "bc", "x", 1));
        Assert.NotEqual(AssociatedData.ForWrappedKey("c", "p", 1), AssociatedData.ForNotes("c", "p", string.Empty, 1));
    }
}
