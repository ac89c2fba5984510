using BlocklistApi.Storage;
using Microsoft.Extensions.Logging;

namespace BlocklistApi.Hosting;

/// <summary>
/// How every timer function runs its work: one run at a time across instances that share a store (a storage lease
/// named after the timer), within its budget (a run that is still going when the budget ends is cancelled; what it
/// stored stays), and a failed run is logged (once a minute per timer) and returns, so the next one runs.
/// </summary>
public sealed partial class TimerRuns(StorageLeases leases, TimeProvider timeProvider, ILogger<TimerRuns> logger)
{
    private readonly Dictionary<string, LogThrottle> _warnings = new(StringComparer.Ordinal);

    public async Task RunAsync(string timer, TimeSpan budget, Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        // The budget is real time: it bounds waits on DNS and storage, which a test's fake clock does not move.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(budget);
        try
        {
            if (!await leases.TryAcquireAsync(timer, budget, deadline.Token))
            {
                Log.Skipped(logger, timer);
                return;
            }

            var started = timeProvider.GetTimestamp();
            await work(deadline.Token);
            Log.Completed(logger, timer, timeProvider.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            if (Throttle(timer).ShouldLog(out var suppressed))
            {
                Log.Failed(logger, timer, budget, suppressed, ex);
            }
        }
    }

    private LogThrottle Throttle(string timer)
    {
        lock (_warnings)
        {
            if (!_warnings.TryGetValue(timer, out var throttle))
            {
                _warnings[timer] = throttle = new LogThrottle(timeProvider, TimeSpan.FromMinutes(1));
            }

            return throttle;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(8301, LogLevel.Information, "Timer {Timer}: another instance holds its lease, so this one skips the run")]
        public static partial void Skipped(ILogger logger, string timer);

        [LoggerMessage(8302, LogLevel.Debug, "Timer {Timer} ran in {ElapsedMs} ms")]
        public static partial void Completed(ILogger logger, string timer, double elapsedMs);

        [LoggerMessage(8303, LogLevel.Warning, "Timer {Timer} failed or ran out of its budget of {Budget}; the next run tries again ({Suppressed} more failures since the last warning)")]
        public static partial void Failed(ILogger logger, string timer, TimeSpan budget, int suppressed, Exception exception);
    }
}
