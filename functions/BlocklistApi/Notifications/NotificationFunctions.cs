using Microsoft.Azure.Functions.Worker;

namespace BlocklistApi.Notifications;

/// <summary>The queue function that delivers every e-mail notification.</summary>
public sealed class NotificationFunctions(EmailSender sender)
{
    /// <summary>
    /// Sends one message of the email-outbox queue. A failure (after the retries inside the send) throws, so the queue
    /// tries it again up to maxDequeueCount times and then moves it to email-outbox-poison.
    /// </summary>
    [Function(nameof(SendEmail))]
    public Task SendEmail([QueueTrigger(EmailOutbox.QueueName)] OutboxMessage message, long dequeueCount, CancellationToken cancellationToken) =>
        sender.SendAsync(message, dequeueCount, cancellationToken);
}
