using BlocklistApi.Hosting;
using BlocklistApi.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BlocklistApi.Zones;

/// <summary>
/// Stores the bad answers that reputation calls queue (<see cref="ZoneHealthService.Report"/>), off the request path,
/// so that a dead zone is caught between two probes. Storage trouble drops the answer (the next one, or the next
/// probe, counts instead), is logged once a minute and never stops the loop.
/// </summary>
internal sealed partial class ZoneHealthReporter(
    ZoneHealthService health,
    TimeProvider timeProvider,
    ILogger<ZoneHealthReporter> logger) : BackgroundService
{
    private static readonly TimeSpan s_firstBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromMinutes(1);
    private readonly LogThrottle _warnings = new(timeProvider, TimeSpan.FromMinutes(1));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.Zero;
        try
        {
            await foreach (var (zone, detail) in health.BadAnswers.ReadAllAsync(stoppingToken))
            {
                if (backoff > TimeSpan.Zero)
                {
                    await Task.Delay(backoff, timeProvider, stoppingToken);
                }

                try
                {
                    await health.CountBadAnswerAsync(zone, detail, stoppingToken);
                    backoff = TimeSpan.Zero;
                }
                catch (Exception ex) when (!StorageFailures.IsCallerCancellation(ex, stoppingToken))
                {
                    backoff = Backoff.Next(backoff, s_firstBackoff, s_maxBackoff);
                    if (_warnings.ShouldLog(out var suppressed))
                    {
                        Log.CountFailed(logger, zone, suppressed, ex);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1304, LogLevel.Warning, "A bad answer of DNS zone {Zone} could not be counted against it ({Suppressed} more failures since the last warning)")]
        public static partial void CountFailed(ILogger logger, string zone, int suppressed, Exception exception);
    }
}
