using System.Threading.Channels;
using Grpc.Health.V1;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SpasmPlatform.Grpc.Server;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace SpasmPlatform.Grpc.Health;

/// <summary>
/// Turns ASP.NET Core health reports into gRPC serving statuses. Reports are shared for the cache duration, so
/// many Check and Watch callers cost one run of the checks. A stopping host reports NOT_SERVING at once and wakes
/// every watcher, so load balancers drain it before it goes.
/// </summary>
public sealed class HealthStatusMonitor
{
    private readonly HealthCheckService _checks;
    private readonly GrpcServiceRegistry _registry;
    private readonly GrpcHealthOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly List<Channel<bool>> _watchers = [];
    private HealthReport? _report;
    private DateTimeOffset _reportAt;
    private volatile bool _stopping;

    public HealthStatusMonitor(HealthCheckService checks, GrpcServiceRegistry registry, IOptions<GrpcHealthOptions> options, IHostApplicationLifetime lifetime, TimeProvider? time = null)
    {
        _checks = checks;
        _registry = registry;
        _options = options.Value;
        _time = time ?? TimeProvider.System;
        lifetime.ApplicationStopping.Register(() =>
        {
            _stopping = true;
            NotifyWatchers();
        });
    }

    /// <summary>
    /// A service name for liveness probes: SERVING whenever the process answers at all, also while its dependencies
    /// are away or it is draining. A liveness probe that followed PostgreSQL would restart every pod during a database
    /// outage, and one that followed shutdown would kill a pod in the middle of its drain.
    /// </summary>
    public const string LivenessService = "liveness";

    /// <summary>The status for a service name ("" is the whole server); null when the name is unknown.</summary>
    public async Task<ServingStatus?> GetStatusAsync(string service, CancellationToken cancellationToken)
    {
        if (!IsKnown(service))
        {
            return null;
        }

        if (service == LivenessService)
        {
            return ServingStatus.Serving;
        }

        if (_stopping)
        {
            return ServingStatus.NotServing;
        }

        HealthReport? report;
        lock (_gate)
        {
            report = _report is not null && _time.GetUtcNow() - _reportAt < _options.CacheDuration ? _report : null;
        }

        report ??= await RefreshAsync(cancellationToken).ConfigureAwait(false);
        return ToServingStatus(report.Status);
    }

    public bool IsKnown(string service) => service.Length == 0 || service == LivenessService || _registry.Contains(service);

    /// <summary>A channel that receives a signal when the status changes without a check running (host stopping).</summary>
    public ChannelReader<bool> Subscribe(out IDisposable subscription)
    {
        var channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_gate)
        {
            _watchers.Add(channel);
        }

        subscription = new Unsubscriber(this, channel);
        return channel.Reader;
    }

    public TimeSpan WatchPeriod => _options.WatchPeriod;

    private async Task<HealthReport> RefreshAsync(CancellationToken cancellationToken)
    {
        var report = await _checks.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
        Store(report);
        return report;
    }

    private void Store(HealthReport report)
    {
        lock (_gate)
        {
            _report = report;
            _reportAt = _time.GetUtcNow();
        }
    }

    private void NotifyWatchers()
    {
        lock (_gate)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(true);
            }
        }
    }

    private static ServingStatus ToServingStatus(HealthStatus status) =>
        status == HealthStatus.Unhealthy ? ServingStatus.NotServing : ServingStatus.Serving;

    private sealed class Unsubscriber(HealthStatusMonitor monitor, Channel<bool> channel) : IDisposable
    {
        public void Dispose()
        {
            lock (monitor._gate)
            {
                monitor._watchers.Remove(channel);
            }

            channel.Writer.TryComplete();
        }
    }
}
