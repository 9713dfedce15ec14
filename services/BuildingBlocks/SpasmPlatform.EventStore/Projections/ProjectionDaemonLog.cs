using Microsoft.Extensions.Logging;

namespace SpasmPlatform.EventStore.Projections;

internal static partial class ProjectionDaemonLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Projection {Projection} is running in this process from position {Checkpoint}")]
    public static partial void Running(ILogger logger, string projection, long checkpoint);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Projection {Projection} failed after position {Checkpoint}; retrying from its stored checkpoint")]
    public static partial void Failed(ILogger logger, Exception exception, string projection, long checkpoint);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Projection {Projection} was reset for a rebuild and is catching up from position 0")]
    public static partial void ReadModelReset(ILogger logger, string projection);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Rebuild of projection {Projection} finished at position {Checkpoint}")]
    public static partial void Rebuilt(ILogger logger, string projection, long checkpoint);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Rebuild of projection {Projection} is being carried out by the instance that runs it; waiting for it to finish")]
    public static partial void RebuildWaitingForLock(ILogger logger, string projection);
}
