using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace SpasmPlatform.IntegrationTests.Infrastructure;

public sealed class TestOutputLogger(ITestOutputHelper output, string category, LogLevel minimum) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var line = $"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}";
        if (exception is not null)
        {
            line += $" [{exception.GetType().Name}: {exception.Message}]";
        }

        try
        {
            output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // Background components may log after the test has finished; xunit refuses output then.
        }
    }
}
