using Grpc.Core;

namespace SpasmPlatform.IntegrationTests.Infrastructure;

/// <summary>Writers started together on the same version: exactly one may win, and every other hears ABORTED.</summary>
internal static class Race
{
    /// <summary>
    /// Runs <paramref name="attempts"/> at once; the one answer, after asserting that every other attempt failed with
    /// ABORTED and exactly <paramref name="abortedDetail"/> (a loser hears the same whichever check refused it).
    /// </summary>
    public static async Task<T> OneWinnerAsync<T>(IEnumerable<Func<Task<T>>> attempts, string abortedDetail)
        where T : class
    {
        var results = await Task.WhenAll(attempts.Select(attempt => Task.Run(async () =>
        {
            try
            {
                return (Won: await attempt(), Lost: (RpcException?)null);
            }
            catch (RpcException e)
            {
                return (Won: (T?)null, Lost: e);
            }
        })));

        var winner = Assert.Single(results, r => r.Won is not null).Won!;
        Assert.All(results.Where(r => r.Won is null), r =>
        {
            Assert.Equal(StatusCode.Aborted, r.Lost!.StatusCode);
            Assert.Equal(abortedDetail, r.Lost.Status.Detail);
        });
        return winner;
    }
}
