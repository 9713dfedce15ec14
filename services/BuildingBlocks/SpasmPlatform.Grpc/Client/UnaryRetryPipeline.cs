using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace SpasmPlatform.Grpc.Client;

/// <summary>Builds the channel's retry pipeline; one per channel, since pipelines are thread-safe and reusable.</summary>
internal static class UnaryRetryPipeline
{
    public static ResiliencePipeline<IRetryableAttempt>? Create(GrpcRetryOptions options, ILogger logger)
    {
        if (options.MaxRetryAttempts <= 0)
        {
            return null;
        }

        return new ResiliencePipelineBuilder<IRetryableAttempt>()
            .AddRetry(new RetryStrategyOptions<IRetryableAttempt>
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                // Jitter spreads retries of many clients hit by the same outage so they do not return in lockstep.
                UseJitter = true,
                Delay = options.InitialBackoff,
                MaxDelay = options.MaxBackoff,
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Result is { CanRetry: true }),
                OnRetry = args =>
                {
                    if (args.Outcome.Result is { } attempt)
                    {
                        ClientLog.RetryingCall(logger, attempt.MethodFullName, args.AttemptNumber + 1, args.RetryDelay);
                        attempt.Dispose();
                    }

                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }
}
