using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Notifications;

/// <summary>Sends one message from the outbox with the configured transport, from Email:From.</summary>
public sealed partial class EmailSender(IEmailTransport transport, IOptions<EmailOptions> options, ILogger<EmailSender> logger)
{
    private readonly MimeKit.MailboxAddress _from = EmailAddresses.TryParseMailbox(options.Value.From, out var from)
        ? from
        : throw new InvalidOperationException("Email:From is not a valid address; the options validation should have stopped the app.");

    public async Task SendAsync(OutboxMessage message, long dequeueCount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        try
        {
            await transport.SendAsync(message, _from, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.Failed(logger, message.MessageId, dequeueCount, ex);
            throw;
        }

        Log.Sent(logger, message.MessageId, message.To.Count);
    }

    private static partial class Log
    {
        [LoggerMessage(12002, LogLevel.Information, "E-mail {MessageId} sent to {RecipientCount} recipient(s)")]
        public static partial void Sent(ILogger logger, string messageId, int recipientCount);

        [LoggerMessage(12003, LogLevel.Warning, "E-mail {MessageId} could not be sent (attempt {DequeueCount} of the queue message); the queue tries it again, then moves it to email-outbox-poison")]
        public static partial void Failed(ILogger logger, string messageId, long dequeueCount, Exception exception);
    }
}
