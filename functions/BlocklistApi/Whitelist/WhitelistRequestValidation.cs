using System.Diagnostics.CodeAnalysis;
using System.Net;
using BlocklistApi.Diagnostics;
using BlocklistApi.Dns;
using BlocklistApi.Net;
using BlocklistApi.Notifications;

namespace BlocklistApi.Whitelist;

/// <summary>A submission that passed every rule: trimmed, addresses lower-cased, the range canonical.</summary>
internal sealed record ValidSubmission(string Email, string? Name, IpNetwork Range, string? SenderDomain, string Recipient, string Reason);

/// <summary>
/// The rules for a whitelist request, a pure function of its fields. Every field is checked and every bad one named,
/// so a form can show all its errors at once. Nothing with a control character or line break passes (these values end
/// up in mail headers and bodies), lengths are bounded, and only public unicast ranges no wider than an IPv4 /24 or an
/// IPv6 /48 can be whitelisted.
/// </summary>
internal static class WhitelistRequestValidation
{
    public const int MaxNameLength = 100;
    public const int MaxReasonLength = 2000;
    public const int MinReasonLength = 10;
    public const int MaxNoteLength = 1000;
    public const int WidestIpv4Prefix = 24;
    public const int WidestIpv6Prefix = 48;

    public static bool TryValidate(WhitelistRequestSubmission submission, [NotNullWhen(true)] out ValidSubmission? valid, [NotNullWhen(false)] out ApiError? error)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var email = Address(submission.Email, "email", "your e-mail address: the confirmation link is sent there", errors);
        var name = Name(submission.Name, errors);
        var range = Range(submission.Ip, errors);
        var senderDomain = SenderDomain(submission.SenderDomain, errors);
        var recipient = Address(submission.Recipient, "recipient", "the address you were writing to", errors);
        var reason = Reason(submission.Reason, errors);
        if (errors.Count > 0)
        {
            valid = null;
            error = ApiError.Invalid(errors);
            return false;
        }

        valid = new ValidSubmission(email!, name, range!.Value, senderDomain, recipient!, reason!);
        error = null;
        return true;
    }

    /// <summary>An admin's note: optional, one line without control characters, at most 1000 characters.</summary>
    public static string? Note(string? note, out string? error)
    {
        error = null;
        var trimmed = note?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }

        if (trimmed.Length > MaxNoteLength)
        {
            error = $"'note' is longer than {MaxNoteLength} characters.";
        }
        else if (EmailAddresses.HasLineBreakOrControl(note!))
        {
            error = "'note' contains a line break or control character; write it on one line.";
        }

        return trimmed;
    }

    private static string? Address(string? value, string field, string what, Dictionary<string, string[]> errors)
    {
        var text = value?.Trim() ?? "";
        if (text.Length >= 2 && text[0] == '<' && text[^1] == '>')
        {
            text = text[1..^1].Trim();
        }

        if (text.Length == 0)
        {
            return Fail(errors, field, $"'{field}' is required: {what}.");
        }

        if (EmailAddresses.HasLineBreakOrControl(value!))
        {
            return Fail(errors, field, $"'{field}' contains a line break or control character.");
        }

        if (text.Length > MailAddresses.MaxAddressLength)
        {
            return Fail(errors, field, $"'{field}' is longer than {MailAddresses.MaxAddressLength} characters.");
        }

        if (!MailAddresses.IsValidMailbox(text))
        {
            return Fail(errors, field, $"'{field}' is not an e-mail address: write it as name@example.com.");
        }

        return text.ToLowerInvariant();
    }

    private static string? Name(string? value, Dictionary<string, string[]> errors)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (EmailAddresses.HasLineBreakOrControl(value!))
        {
            return Fail(errors, "name", "'name' contains a line break or control character.");
        }

        return text.Length > MaxNameLength ? Fail(errors, "name", $"'name' is longer than {MaxNameLength} characters.") : text;
    }

    private static IpNetwork? Range(string? value, Dictionary<string, string[]> errors)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            Fail(errors, "ip", "'ip' is required: the address your mail server sends from (it is in the refusal message), or its range.");
            return null;
        }

        if (EmailAddresses.HasLineBreakOrControl(value!) || text.Length > 64)
        {
            Fail(errors, "ip", "'ip' must be one address or a CIDR range such as 192.0.2.0/28.");
            return null;
        }

        if (!IpNetwork.TryParse(text, out var range, out var message))
        {
            Fail(errors, "ip", "'ip': " + message);
            return null;
        }

        var ipv4 = range.Network.IsIPv4();
        if (range.PrefixLength < (ipv4 ? WidestIpv4Prefix : WidestIpv6Prefix))
        {
            Fail(errors, "ip", $"'ip' {range} is too wide: we whitelist at most an IPv4 /{WidestIpv4Prefix} or an IPv6 /{WidestIpv6Prefix}.");
            return null;
        }

        if ((SpecialPurposeAddresses.Describe(range.Network) ?? SpecialPurposeAddresses.Describe(Last(range))) is { } special)
        {
            Fail(errors, "ip", $"'ip' {range} is {special}, not a public address that mail could come from.");
            return null;
        }

        return range;
    }

    private static string? SenderDomain(string? value, Dictionary<string, string[]> errors)
    {
        var text = value?.Trim().TrimEnd('.').ToLowerInvariant();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return EmailAddresses.HasLineBreakOrControl(value!) || !DnsNames.IsValidDomainName(text) || !text.Contains('.', StringComparison.Ordinal)
            ? Fail(errors, "senderDomain", "'senderDomain' must be a domain name such as example.com (the part after the @ of your address).")
            : text;
    }

    private static string? Reason(string? value, Dictionary<string, string[]> errors)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return Fail(errors, "reason", "'reason' is required: tell us why your server cannot be fixed or cannot retry, so that a person can decide.");
        }

        if (EmailAddresses.HasLineBreakOrControl(value!))
        {
            return Fail(errors, "reason", "'reason' contains a line break or control character; write it as one paragraph.");
        }

        return text.Length switch
        {
            < MinReasonLength => Fail(errors, "reason", $"'reason' is too short: say in a sentence or two (at least {MinReasonLength} characters) why you need this."),
            > MaxReasonLength => Fail(errors, "reason", $"'reason' is longer than {MaxReasonLength} characters."),
            _ => text,
        };
    }

    private static IPAddress Last(IpNetwork range)
    {
        var bytes = range.Network.GetAddressBytes();
        for (var bit = range.PrefixLength; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] |= (byte)(0x80 >> (bit % 8));
        }

        return new IPAddress(bytes);
    }

    private static string? Fail(Dictionary<string, string[]> errors, string field, string message)
    {
        errors[field] = [message];
        return null;
    }
}
