namespace SpasmPlatform.Console.EndToEnd;

/// <summary>One platform, console and browser for every test here: starting them is most of a test's time.</summary>
[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsolePlatform>
{
    public const string Name = "console";
}
