using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace SpasmPlatform.IntegrationTests.Infrastructure;

/// <summary>Sends log lines to the test's output, so a failing test shows what the component under test went through.</summary>
public sealed class TestOutputLoggerProvider(ITestOutputHelper output, LogLevel minimum = LogLevel.Information) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new TestOutputLogger(output, categoryName, minimum);

    public void Dispose()
    {
    }
}
