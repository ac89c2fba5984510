using System.Diagnostics.CodeAnalysis;
using BlocklistApi.Net;
using MimeKit;

namespace BlocklistApi.Notifications;

/// <summary>One recipient: an address and, optionally, the name shown with it.</summary>
/// <param name="Address">local@domain (see <see cref="MailAddresses.IsValidMailbox"/>).</param>
/// <param name="DisplayName">A person's name; encoded as RFC 2047 words when needed, never written raw into a header.</param>
public sealed record EmailRecipient(string Address, string? DisplayName = null);

/// <summary>
/// A notification to send through the outbox: plain text, and optionally simple HTML whose every user-supplied value
/// the composer has already HTML-encoded. From, Date, Message-ID and Auto-Submitted are added by the outbox and the
/// sender, so callers cannot forget them.
/// </summary>
/// <param name="To">The recipients (each gets the same message).</param>
/// <param name="Subject">One line, no control characters.</param>
/// <param name="Text">The text/plain body.</param>
/// <param name="Html">The text/html alternative, or null for text only.</param>
public sealed record EmailMessage(IReadOnlyList<EmailRecipient> To, string Subject, string Text, string? Html = null);

/// <summary>
/// What the email-outbox queue carries: the message with the Message-ID and Date it got when it was queued, so every
/// retry sends the same message (receivers and ACS can tell a repeat by its id).
/// </summary>
/// <param name="MessageId">The Message-ID without angle brackets, e.g. 3f2a…@example.net.</param>
/// <param name="Date">When it was queued: its Date header.</param>
/// <param name="To">The recipients.</param>
/// <param name="Subject">The subject.</param>
/// <param name="Text">The text/plain body.</param>
/// <param name="Html">The text/html alternative, or null.</param>
public sealed record OutboxMessage(string MessageId, DateTimeOffset Date, IReadOnlyList<EmailRecipient> To, string Subject, string Text, string? Html);

/// <summary>Rules for what may go into a header: every value a user supplied passes through here first.</summary>
public static class EmailAddresses
{
    /// <summary>
    /// Parses a configured From address ("blocklist@example.net" or "Blocklist &lt;blocklist@example.net&gt;"): exactly one
    /// mailbox, a valid address, no control characters.
    /// </summary>
    public static bool TryParseMailbox(string? text, [NotNullWhen(true)] out MailboxAddress? mailbox)
    {
        mailbox = null;
        if (string.IsNullOrWhiteSpace(text) || HasLineBreakOrControl(text)
            || !MailboxAddress.TryParse(ParserOptions.Default, text, out var parsed) || !MailAddresses.IsValidMailbox(parsed.Address, allowSingleLabel: true))
        {
            return false;
        }

        mailbox = parsed;
        return true;
    }

    /// <summary>
    /// True when <paramref name="text"/> could break out of a header or a line: C0 and C1 controls (CR and LF among
    /// them), U+2028/U+2029 line and paragraph separators, and bidirectional overrides that make text read otherwise
    /// than it is.
    /// </summary>
    public static bool HasLineBreakOrControl(string text) =>
        text.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029' || c is >= '\u202A' and <= '\u202E' || c is >= '\u2066' and <= '\u2069');

    /// <summary>Throws unless <paramref name="message"/> is safe to turn into headers: valid addresses, one-line subject and names.</summary>
    public static void EnsureSafe(EmailMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.To.Count == 0)
        {
            throw new ArgumentException("A message needs at least one recipient.", nameof(message));
        }

        foreach (var recipient in message.To)
        {
            if (!MailAddresses.IsValidMailbox(recipient.Address, allowSingleLabel: true))
            {
                throw new ArgumentException("A recipient address is not a valid mailbox.", nameof(message));
            }

            if (recipient.DisplayName is { } name && (HasLineBreakOrControl(name) || name.Length > 200))
            {
                throw new ArgumentException("A recipient's name contains a line break or control character, or is too long.", nameof(message));
            }
        }

        if (string.IsNullOrWhiteSpace(message.Subject) || HasLineBreakOrControl(message.Subject) || message.Subject.Length > 250)
        {
            throw new ArgumentException("The subject must be one line of at most 250 characters.", nameof(message));
        }
    }
}
