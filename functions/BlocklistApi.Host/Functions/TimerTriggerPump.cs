using System.Globalization;
using Microsoft.Azure.Functions.Worker;
using NCrontab;

namespace BlocklistApi.Host.Functions;

/// <summary>
/// Runs one timer-triggered function on its schedule: an NCRONTAB expression with seconds (as in Functions), a
/// five-field cron expression, or a TimeSpan interval; "%Setting%" reads it from configuration. Times are UTC.
/// </summary>
internal sealed partial class TimerTriggerPump(
    FunctionDescriptor function,
    IServiceScopeFactory scopes,
    FunctionInvoker invoker,
    IConfiguration configuration,
    TimeProvider timeProvider,
    ILogger<TimerTriggerPump> logger) : BackgroundService
{
    public TimerSchedule Schedule { get; } = TimerSchedule.Parse(SettingReferences.Resolve(function.Timer!.Schedule, configuration), function.Name);

    private DateTimeOffset _started;

    // The schedule counts from the host's start, taken here: since .NET 10 ExecuteAsync runs wholly on the thread pool,
    // so a "now" read there could come after time a caller (or a fake clock) already moved on.
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _started = timeProvider.GetUtcNow();
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var last = _started;
        var next = Schedule.Next(last);
        if (function.Timer!.RunOnStartup)
        {
            await RunAsync(last, next, isPastDue: false, stoppingToken);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var wait = next - timeProvider.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, timeProvider, stoppingToken);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            // The occurrence after this one is computed before the run, from this one: a run that ends at (or just
            // after) the next occurrence is followed by it at once; one that overran several occurrences skips them.
            var now = timeProvider.GetUtcNow();
            var following = Schedule.Next(next);
            if (following < now)
            {
                following = Schedule.Next(now);
            }

            await RunAsync(last, following, isPastDue: now - next > TimeSpan.FromSeconds(1), stoppingToken);
            last = now;
            next = following;
        }
    }

    private async Task RunAsync(DateTimeOffset last, DateTimeOffset next, bool isPastDue, CancellationToken stoppingToken)
    {
        var info = new TimerInfo
        {
            IsPastDue = isPastDue,
            ScheduleStatus = new ScheduleStatus { Last = last.UtcDateTime, Next = next.UtcDateTime, LastUpdated = timeProvider.GetUtcNow().UtcDateTime },
        };
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var arguments = function.Method.GetParameters()
                .Select(p => p.ParameterType == typeof(CancellationToken) ? stoppingToken
                    : p.ParameterType == typeof(TimerInfo) ? (object)info
                    : throw new InvalidOperationException($"Function '{function.Name}': parameter '{p.Name}' cannot be bound by the self-host."))
                .ToArray();
            await invoker.InvokeAsync(function, scope.ServiceProvider, arguments);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // As in Functions, a failed run is logged and the timer carries on with the next occurrence.
            Log.RunFailed(logger, function.Name, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(8201, LogLevel.Error, "Timer function {Function} failed")]
        public static partial void RunFailed(ILogger logger, string function, Exception exception);
    }
}

/// <summary>A parsed timer schedule.</summary>
internal sealed class TimerSchedule
{
    private readonly CrontabSchedule? _cron;
    private readonly TimeSpan _interval;

    private TimerSchedule(CrontabSchedule? cron, TimeSpan interval)
    {
        _cron = cron;
        _interval = interval;
    }

    public static TimerSchedule Parse(string expression, string functionName)
    {
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is 5 or 6)
        {
            var cron = CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = fields == 6 });
            if (cron is not null)
            {
                return new TimerSchedule(cron, TimeSpan.Zero);
            }
        }
        else if (TimeSpan.TryParse(expression, CultureInfo.InvariantCulture, out var interval) && interval > TimeSpan.Zero)
        {
            return new TimerSchedule(null, interval);
        }

        throw new InvalidOperationException(
            $"Function '{functionName}': schedule '{expression}' is neither an NCRONTAB expression ('0 */5 * * * *') nor an interval ('00:05:00').");
    }

    public DateTimeOffset Next(DateTimeOffset after) => _cron is null
        ? after + _interval
        : new DateTimeOffset(DateTime.SpecifyKind(_cron.GetNextOccurrence(after.UtcDateTime), DateTimeKind.Utc));
}
