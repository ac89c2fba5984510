using BlocklistApi.Dns;

namespace BlocklistApi.Net;

/// <summary>Envelope address helpers shared by SPF, greylisting, diagnostics and whitelisting.</summary>
public static class MailAddresses
{
    /// <summary>The longest address a path may carry (RFC 5321 section 4.5.3.1.3: a 256-octet path, less the angle brackets).</summary>
    public const int MaxAddressLength = 254;

    // RFC 5322 section 3.2.3 atext: what a dot-atom local part may hold besides letters and digits.
    private const string AtextSpecials = "!#$%&'*+-/=?^_`{|}~";

    /// <summary>
    /// Splits an address at its last '@' (a quoted local part may hold an '@', a domain never does, RFC 5321 section
    /// 4.1.2): ("user", "example.com"). Without an '@' the local part is null and the whole text is the domain.
    /// </summary>
    public static (string? LocalPart, string Domain) Split(string address)
    {
        var at = address.LastIndexOf('@');
        return at < 0 ? (null, address) : (address[..at], address[(at + 1)..]);
    }

    /// <summary>
    /// True for an address a person types into a form: a dot-atom local part of at most 64 ASCII characters (no quoted
    /// strings, RFC 5321 section 4.1.2), '@', and a host name with at least two labels (one label is enough with
    /// <paramref name="allowSingleLabel"/>, for configured addresses such as postmaster@localhost); at most 254 characters.
    /// </summary>
    public static bool IsValidMailbox(string? address, bool allowSingleLabel = false)
    {
        if (string.IsNullOrEmpty(address) || address.Length > MaxAddressLength)
        {
            return false;
        }

        var (local, domain) = Split(address);
        if (local is null or { Length: 0 or > 64 } || local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        return local.All(c => char.IsAsciiLetterOrDigit(c) || c == '.' || AtextSpecials.Contains(c))
            && DnsNames.IsValidDomainName(domain) && !domain.EndsWith('.') && (allowSingleLabel || domain.Contains('.', StringComparison.Ordinal));
    }
}
