using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MimeKit;

namespace BlocklistApi.Notifications;

/// <summary>Delivers one queued message. Three implementations (pickup, SMTP, ACS), chosen by Email:Transport.</summary>
public interface IEmailTransport
{
    /// <summary>Sends <paramref name="message"/> from <paramref name="from"/>, retrying what its transport may retry; throws when it could not.</summary>
    Task SendAsync(OutboxMessage message, MailboxAddress from, CancellationToken cancellationToken);
}

/// <summary>
/// The MIME form of a queued message (RFC 5322): From, To, Subject, Date and Message-ID, <c>Auto-Submitted:
/// auto-generated</c> (RFC 3834, so auto-responders stay quiet) and Microsoft's equivalent, and a text/plain part with a
/// text/html alternative. MimeKit encodes every header value (RFC 2047 words for names and non-ASCII subjects), and the
/// outbox refused line breaks in them before the message was queued.
/// </summary>
public static class EmailMime
{
    public static MimeMessage Build(OutboxMessage message, MailboxAddress from)
    {
        ArgumentNullException.ThrowIfNull(message);
        var mime = new MimeMessage
        {
            Subject = message.Subject,
            Date = message.Date,
            MessageId = message.MessageId,
        };
        mime.From.Add(from);
        foreach (var recipient in message.To)
        {
            mime.To.Add(new MailboxAddress(recipient.DisplayName ?? "", recipient.Address));
        }

        mime.Headers.Add("Auto-Submitted", "auto-generated");
        mime.Headers.Add("X-Auto-Response-Suppress", "All");
        var body = new BodyBuilder { TextBody = message.Text, HtmlBody = message.Html };
        mime.Body = body.ToMessageBody();
        return mime;
    }
}

/// <summary>
/// Writes each message as an .eml file into Email:PickupDirectory, the way IIS and Exchange pickup directories work: a
/// temporary file renamed into place, so a reader never sees half a message. The self-host's default, so the README
/// run command works without a mail server. A retry rewrites the same file name (the name comes from the Message-ID).
/// </summary>
public sealed class PickupEmailTransport(Microsoft.Extensions.Options.IOptions<EmailOptions> options) : IEmailTransport
{
    private readonly string _directory = Path.GetFullPath(options.Value.PickupDirectory);

    public string Directory => _directory;

    public async Task SendAsync(OutboxMessage message, MailboxAddress from, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        System.IO.Directory.CreateDirectory(_directory);
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(message.MessageId)))[..16];
        var name = string.Create(CultureInfo.InvariantCulture, $"{message.Date.UtcDateTime:yyyyMMdd'T'HHmmssfff}-{id}.eml");
        var target = Path.Combine(_directory, name);
        var temporary = Path.Combine(_directory, "." + name + ".tmp");
        await EmailMime.Build(message, from).WriteToAsync(temporary, cancellationToken);
        File.Move(temporary, target, overwrite: true);
    }
}
