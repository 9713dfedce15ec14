using Xunit.Abstractions;

namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>A fresh projection harness (own schema) per test, for the asynchronous projection test classes.</summary>
public abstract class ProjectionTestBase(ITestOutputHelper output) : IAsyncLifetime
{
    private ProjectionHarness? _harness;

    protected ProjectionHarness H => _harness ?? throw new InvalidOperationException("Not initialised.");

    protected ITestOutputHelper Output { get; } = output;

    public async Task InitializeAsync() => _harness = await ProjectionHarness.CreateAsync(Output);

    public async Task DisposeAsync()
    {
        if (_harness is not null)
        {
            await _harness.DisposeAsync();
        }
    }
}
