namespace SpasmPlatform.Privacy;

/// <summary>Notes as a reader gets them: the text, or empty with <see cref="Erased"/> once the patient's key is destroyed.</summary>
public sealed record NotesReading(string Text, bool Erased)
{
    public static readonly NotesReading None = new(string.Empty, false);

    public static readonly NotesReading WasErased = new(string.Empty, true);
}
