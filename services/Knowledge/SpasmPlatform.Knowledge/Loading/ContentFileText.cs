namespace SpasmPlatform.Knowledge.Loading;

/// <summary>One content file of a knowledge bundle: its path relative to the bundle root (forward slashes) and text.</summary>
public sealed record ContentFileText(string Path, string Text);
