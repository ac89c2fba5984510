using System.Text.Json;
using BlocklistApi.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Notifications;

/// <summary>
/// The one way any feature sends e-mail: <see cref="EnqueueAsync"/> puts the message on the <c>email-outbox</c> queue,
/// and <see cref="NotificationFunctions.SendEmail"/> delivers it with a retry policy inside the send; a message that
/// keeps failing is retried by the queue (Queues:MaxDequeueCount) and then lands in <c>email-outbox-poison</c>, never
/// lost silently. Callers store their own state before they queue mail, so a failure to queue loses no decision.
/// </summary>
public sealed partial class EmailOutbox(IQueueStorage queues, IOptions<EmailOptions> options, TimeProvider timeProvider, ILogger<EmailOutbox> logger)
{
    /// <summary>The queue (logical name; the storage provider adds Storage:NamePrefix).</summary>
    public const string QueueName = "email-outbox";

    private readonly string _messageIdDomain = EmailAddresses.TryParseMailbox(options.Value.From, out var from) ? from.Domain : "localhost";

    /// <summary>
    /// Queues <paramref name="message"/> with a new Message-ID and the current time as its Date, and returns the
    /// Message-ID. Throws <see cref="ArgumentException"/> for a message whose headers would not be safe (a line break in
    /// the subject or a name, an invalid address), and the storage exception when the queue cannot be reached.
    /// </summary>
    public async Task<string> EnqueueAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        EmailAddresses.EnsureSafe(message);
        var queued = new OutboxMessage(
            $"{Guid.NewGuid():N}@{_messageIdDomain}",
            timeProvider.GetUtcNow(),
            message.To,
            message.Subject,
            message.Text,
            message.Html);
        await queues.SendAsync(QueueName, JsonSerializer.Serialize(queued, JsonSerializerOptions.Web), initialDelay: null, cancellationToken);
        Log.Queued(logger, queued.MessageId, message.To.Count);
        return queued.MessageId;
    }

    private static partial class Log
    {
        [LoggerMessage(12001, LogLevel.Debug, "E-mail {MessageId} queued for {RecipientCount} recipient(s)")]
        public static partial void Queued(ILogger logger, string messageId, int recipientCount);
    }
}
