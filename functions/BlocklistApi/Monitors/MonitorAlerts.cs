using BlocklistApi.Notifications;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Monitors;

/// <summary>
/// Tells the admins that one of our addresses became listed or was delisted: a warning in the log (zone, codes,
/// meanings, TXT reasons, delisting link), which Application Insights keeps, and one mail to every
/// Notifications__AdminEmails__N through the e-mail outbox (retried, then kept in its poison queue). The monitor timer
/// calls this once per change, after the change is stored, never per run; when the mail cannot be queued it undoes the
/// change, so that the next run finds it again and alerts again.
/// </summary>
public sealed partial class MonitorAlerts(EmailOutbox outbox, IOptions<NotificationOptions> notifications, ILogger<MonitorAlerts> logger)
{
    /// <summary>Logs the alert and queues its mail; false when the mail could not be queued (logged, with why).</summary>
    public async Task<bool> SendAsync(MonitorAlert alert, CancellationToken cancellationToken)
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
            return true;
        }

        try
        {
            await outbox.EnqueueAsync(new EmailMessage(admins, alert.Subject, alert.Body), cancellationToken);
            return true;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.MailNotQueued(logger, alert.Subject, ex);
            return false;
        }
    }

    /// <summary>The change could not be undone after its mail failed: the warning is then the only record of it.</summary>
    public void UndoFailed(MonitorAlert alert, Exception exception) => Log.UndoFailed(logger, alert.Subject, exception);

    private static partial class Log
    {
        [LoggerMessage(1501, LogLevel.Warning, "ALERT: our address {Address} is listed by {Zone}: codes {Codes} ({Meanings}); reason: {Reasons}; delisting: {DelistUrl} (monitored range {Range})")]
        public static partial void Listed(ILogger logger, string address, string zone, string codes, string meanings, string reasons, string delistUrl, string range);

        [LoggerMessage(1502, LogLevel.Warning, "ALERT: our address {Address} is no longer listed by {Zone} (listed since {ListedSince}; monitored range {Range})")]
        public static partial void Delisted(ILogger logger, string address, string zone, DateTimeOffset listedSince, string range);

        [LoggerMessage(1506, LogLevel.Error, "The admins' mail of an alert could not be queued (\"{Subject}\"); the change is undone, so the next monitor run alerts again")]
        public static partial void MailNotQueued(ILogger logger, string subject, Exception exception);

        [LoggerMessage(1507, LogLevel.Error, "The admins' mail of an alert could not be queued and the change could not be undone (\"{Subject}\"): the alert is in the log only")]
        public static partial void UndoFailed(ILogger logger, string subject, Exception exception);
    }
}
