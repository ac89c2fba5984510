using System.Diagnostics.CodeAnalysis;
using BlocklistApi.Lists;
using BlocklistApi.Net;

namespace BlocklistApi.Reputation;

/// <summary>The optional recipient and sender of GET /v1/reputation/{ip}: with a recipient, scoped allow entries count.</summary>
internal static class ReputationQuery
{
    /// <summary>
    /// Reads ?recipient= and ?sender=. No recipient: no context (the sender alone changes nothing). A sender of "" or
    /// "&lt;&gt;" is the null sender. Each must be an address when given.
    /// </summary>
    public static bool TryReadMailContext(string? recipient, string? sender, out MailContext? mail, [NotNullWhen(false)] out ApiError? error)
    {
        mail = null;
        error = null;
        var to = Clean(recipient);
        var from = Clean(sender);
        if ((!string.IsNullOrEmpty(to) && !MailAddresses.IsValidMailbox(to)) || (recipient ?? "").Any(char.IsControl))
        {
            error = ApiError.Invalid("'recipient' must be the envelope recipient's address, e.g. bob@example.net.", "recipient");
            return false;
        }

        if ((!string.IsNullOrEmpty(from) && !MailAddresses.IsValidMailbox(from)) || (sender ?? "").Any(char.IsControl))
        {
            error = ApiError.Invalid("'sender' must be the envelope sender's address, e.g. alice@example.com, or empty for the null sender.", "sender");
            return false;
        }

        if (!string.IsNullOrEmpty(to))
        {
            mail = new MailContext(to, string.IsNullOrEmpty(from) ? null : MailAddresses.Split(from).Domain);
        }

        return true;
    }

    private static string Clean(string? value)
    {
        var text = (value ?? "").Trim();
        if (text.Length >= 2 && text[0] == '<' && text[^1] == '>')
        {
            text = text[1..^1].Trim();
        }

        return text.ToLowerInvariant();
    }
}
