using System.Text;
using BlocklistApi.Net;

namespace BlocklistApi.Greylist;

/// <summary>
/// Envelope address normalisation for triplet keys, after postgrey's <c>do_sender_substitutions</c>: addresses are
/// case-folded, and the per-message parts of a sender's local part are removed so that each new message of a sender
/// does not make a new triplet: BATV tags (prvs=TAG=user, RFC draft-levine-smtp-batv), SRS hashes and timestamps
/// (SRS0=HASH=TT=domain=user), VERP and sub-address extensions (user+anything), and numeric or hex message ids.
/// </summary>
internal static class GreylistAddresses
{
    /// <summary>The null reverse-path of bounces (RFC 5321 section 4.5.5), as it appears in keys.</summary>
    public const string NullSender = "<>";

    private const int MaxAddressLength = 320;

    /// <summary>Normalises MAIL FROM; "" and "&lt;&gt;" are the null sender, which postgrey keys like any other sender.</summary>
    public static bool TryNormalizeSender(string? sender, out string normalized, out string? domain, out string error)
    {
        normalized = NullSender;
        domain = null;
        if (sender is null)
        {
            error = "'sender' is required: the envelope sender (MAIL FROM), or \"\" for the null sender of bounces.";
            return false;
        }

        if (!TryClean(sender, "sender", out var clean, out error))
        {
            return false;
        }

        if (clean.Length == 0)
        {
            return true;
        }

        var (local, domainPart) = MailAddresses.Split(clean);
        if (local is null)
        {
            // A sender without a domain is kept as it is (postgrey does the same).
            normalized = NormalizeLocalPart(clean);
            return true;
        }

        domain = domainPart.TrimEnd('.');
        if (domain.Length == 0 || local.Length == 0)
        {
            error = $"'sender' must be local@domain, \"\" or \"<>\".";
            return false;
        }

        normalized = NormalizeLocalPart(local) + "@" + domain;
        return true;
    }

    /// <summary>Normalises RCPT TO: case-folded only, as postgrey does (a sub-address is a different mailbox).</summary>
    public static bool TryNormalizeRecipient(string? recipient, out string normalized, out string error)
    {
        normalized = "";
        if (recipient is null)
        {
            error = "'recipient' is required: the envelope recipient (RCPT TO).";
            return false;
        }

        if (!TryClean(recipient, "recipient", out normalized, out error))
        {
            return false;
        }

        if (normalized.Length == 0)
        {
            error = "'recipient' is required: the envelope recipient (RCPT TO).";
            return false;
        }

        if (normalized[^1] == '.')
        {
            normalized = normalized.TrimEnd('.');
        }

        return true;
    }

    /// <summary>Removes BATV, SRS and VERP per-message parts from a lower-case local part.</summary>
    internal static string NormalizeLocalPart(string local)
    {
        local = StripBatv(local);
        local = StripSrs(local);

        // Sub-address and VERP extension: "bounces+1234-user=example.com" (postgrey: s/\+.*//).
        var plus = local.IndexOf('+', StringComparison.Ordinal);
        if (plus > 0)
        {
            local = local[..plus];
        }

        return ReplaceMessageIds(local);
    }

    // BATV: "prvs=TAG=user" is the standard order, "prvs=user=TAG" occurs too; the tag is 10 characters
    // (1 key digit, 3 day digits, 6 hex of hash). Some MTAs use "msprvs1=TAG=user" or Barracuda's "btv1==TAG==user".
    private static string StripBatv(string local)
    {
        if (local.StartsWith("btv1==", StringComparison.Ordinal))
        {
            var parts = local.Split("==");
            return parts.Length == 3 && parts[2].Length > 0 ? parts[2] : local;
        }

        if (!local.StartsWith("prvs=", StringComparison.Ordinal) && !local.StartsWith("msprvs1=", StringComparison.Ordinal))
        {
            return local;
        }

        var fields = local.Split('=');
        if (fields.Length != 3 || fields[1].Length == 0 || fields[2].Length == 0)
        {
            return local;
        }

        // postgrey's rule: whichever field looks like a tag is the tag; when both or neither do, the standard order wins.
        var firstIsTag = LooksLikeBatvTag(fields[1]);
        var secondIsTag = LooksLikeBatvTag(fields[2]);
        return !firstIsTag && secondIsTag ? fields[1] : fields[2];
    }

    private static bool LooksLikeBatvTag(string field) =>
        field.Length >= 10 && !field.AsSpan(0, 10).ContainsAnyExcept(s_tagChars);

    private static readonly System.Buffers.SearchValues<char> s_tagChars =
        System.Buffers.SearchValues.Create("0123456789abcdefghijklmnopqrstuvwxyz");

    // SRS (the Sender Rewriting Scheme of forwarders): SRS0=HHH=TT=orig-domain=orig-user@forwarder and
    // SRS1=HHH=first-forwarder==HHH=TT=orig-domain=orig-user@forwarder. The hash and the day stamp change between
    // messages; the forwarder (the envelope domain, which SPF checks) and the original address stay.
    private static string StripSrs(string local)
    {
        if (local.Length < 5 || !local.StartsWith("srs", StringComparison.Ordinal) || local[4] is not ('=' or '+' or '-'))
        {
            return local;
        }

        if (local[3] == '0')
        {
            var fields = local[5..].Split('=', 4);
            return fields.Length == 4 ? $"srs0={fields[2]}={fields[3]}" : local;
        }

        if (local[3] == '1')
        {
            var separator = local.IndexOf("==", 5, StringComparison.Ordinal);
            var head = separator < 0 ? [] : local[5..separator].Split('=', 2);
            var tail = separator < 0 ? [] : local[(separator + 2)..].Split('=', 4);
            return head.Length == 2 && tail.Length == 4 ? $"srs1={head[1]}={tail[2]}={tail[3]}" : local;
        }

        return local;
    }

    // VERP and bounce-tracking ids: a run of letters and digits that is all digits (postgrey: s/\b\d+\b/#/g), or at
    // least 4 hex digits mixing digits and letters (Amazon SES, SparkPost and list managers' message ids), becomes '#'.
    private static string ReplaceMessageIds(string local)
    {
        var builder = new StringBuilder(local.Length);
        var i = 0;
        while (i < local.Length)
        {
            if (!char.IsAsciiLetterOrDigit(local[i]))
            {
                builder.Append(local[i++]);
                continue;
            }

            var start = i;
            while (i < local.Length && char.IsAsciiLetterOrDigit(local[i]))
            {
                i++;
            }

            var token = local.AsSpan(start, i - start);
            if (IsMessageId(token))
            {
                builder.Append('#');
            }
            else
            {
                builder.Append(token);
            }
        }

        return builder.ToString();
    }

    private static bool IsMessageId(ReadOnlySpan<char> token)
    {
        var digits = 0;
        foreach (var c in token)
        {
            if (char.IsAsciiDigit(c))
            {
                digits++;
            }
            else if (!char.IsAsciiHexDigitLower(c))
            {
                return false;
            }
        }

        // Only digits and hex letters are left: a token with a digit that is not all digits mixes both.
        return digits == token.Length || (token.Length >= 4 && digits > 0);
    }

    private static bool TryClean(string value, string field, out string clean, out string error)
    {
        clean = value.Trim();
        if (clean.Length >= 2 && clean[0] == '<' && clean[^1] == '>')
        {
            clean = clean[1..^1].Trim();
        }

        if (clean.Length > MaxAddressLength)
        {
            error = $"'{field}' is longer than {MaxAddressLength} characters.";
            return false;
        }

        if (clean.Any(char.IsControl))
        {
            error = $"'{field}' contains control characters.";
            return false;
        }

        clean = clean.ToLowerInvariant();
        error = "";
        return true;
    }
}
