using BlocklistApi.Notifications;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Monitors;

/// <summary>
/// Tells the admins that one of our addresses became listed or was delisted: a warning in the log (zone, codes,
/// meanings, TXT reasons, delisting link), which Application Insights keeps, and one mail to every
/// Notifications__AdminEmails__N through the e-mail outbox (retried, then kept in its poison queue). The monitor timer
/// calls this once per change, after the change is stored, never per run.
/// </summary>
public sealed partial class MonitorAlerts(EmailOutbox outbox, IOptions<NotificationOptions> notifications, ILogger<MonitorAlerts> logger)
{
    public async Task SendAsync(MonitorAlert alert, CancellationToken cancellationToken)
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

        var admins = notifications.Value.AdminEmails.Select(a => new EmailRecipient(a)).ToList();
        if (admins.Count == 0)
        {
            // Development without admins: the warning above is the alert.
            return;
        }

        try
        {
            await outbox.EnqueueAsync(new EmailMessage(admins, alert.Subject, alert.Body), cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The change is stored, so the next run will not alert again: the warning above stays the record of it.
            Log.MailNotQueued(logger, alert.Subject, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1501, LogLevel.Warning, "ALERT: our address {Address} is listed by {Zone}: codes {Codes} ({Meanings}); reason: {Reasons}; delisting: {DelistUrl} (monitored range {Range})")]
        public static partial void Listed(ILogger logger, string address, string zone, string codes, string meanings, string reasons, string delistUrl, string range);

        [LoggerMessage(1502, LogLevel.Warning, "ALERT: our address {Address} is no longer listed by {Zone} (listed since {ListedSince}; monitored range {Range})")]
        public static partial void Delisted(ILogger logger, string address, string zone, DateTimeOffset listedSince, string range);

        [LoggerMessage(1503, LogLevel.Error, "The admins' mail of an alert could not be queued (\"{Subject}\"); the alert is in the log only")]
        public static partial void MailNotQueued(ILogger logger, string subject, Exception exception);
    }
}
