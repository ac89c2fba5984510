using Microsoft.Extensions.Logging;

namespace BlocklistApi.Monitors;

/// <summary>
/// Tells the admins that one of our addresses became listed or was delisted. For now the alert is a warning in the
/// log (zone, codes, meanings, TXT reasons, delisting link), which Application Insights keeps.
/// <para>
/// Where e-mail goes: when the outbox of the whitelist requests (Notifications/, Notifications__AdminEmails__N)
/// is on main, <see cref="SendAsync"/> also queues <see cref="MonitorAlert.Subject"/> and <see cref="MonitorAlert.Body"/>
/// to every admin address through it. The monitor timer calls this once per change (after the change is stored), never
/// per run.
/// </para>
/// </summary>
public sealed partial class MonitorAlerts(ILogger<MonitorAlerts> logger)
{
    public Task SendAsync(MonitorAlert alert, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (alert.Change == MonitorChange.Listed)
        {
            Log.Listed(logger, alert.Address, alert.Zone, string.Join(", ", alert.Codes), string.Join("; ", alert.Meanings),
                string.Join(" | ", alert.Reasons), alert.DelistUrl ?? "none known", alert.Range);
        }
        else
        {
            Log.Delisted(logger, alert.Address, alert.Zone, alert.ListedSince, alert.Range);
        }

        return Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(1501, LogLevel.Warning, "ALERT: our address {Address} is listed by {Zone}: codes {Codes} ({Meanings}); reason: {Reasons}; delisting: {DelistUrl} (monitored range {Range})")]
        public static partial void Listed(ILogger logger, string address, string zone, string codes, string meanings, string reasons, string delistUrl, string range);

        [LoggerMessage(1502, LogLevel.Warning, "ALERT: our address {Address} is no longer listed by {Zone} (listed since {ListedSince}; monitored range {Range})")]
        public static partial void Delisted(ILogger logger, string address, string zone, DateTimeOffset listedSince, string range);
    }
}
