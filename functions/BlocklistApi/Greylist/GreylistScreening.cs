using System.Globalization;
using System.Net;
using BlocklistApi.Dns;
using BlocklistApi.Net;

namespace BlocklistApi.Greylist;

/// <summary>
/// The pure whitelist and suspicion rules that run before a client is greylisted: recipient opt-outs and client
/// names in postgrey's whitelist syntax, and the "suspicious" tests (no forward-confirmed rDNS, a dynamic-looking name).
/// </summary>
internal static class GreylistScreening
{
    // Labels of generic names that ISPs give to end-user (dynamic, dial-up, broadband) addresses.
    private static readonly HashSet<string> s_dynamicTokens = new(StringComparer.Ordinal)
    {
        "dyn", "dynamic", "dynip", "dhcp", "dialup", "dial", "dip", "ppp", "pppoe", "pppoa", "dsl", "adsl", "vdsl", "xdsl",
        "cable", "cpe", "pool", "client", "clients", "customer", "cust", "broadband", "bb", "home", "res", "resnet",
        "residential", "user", "users", "nat", "wireless", "wifi", "mobile", "ftth", "fttx", "unknown", "unassigned",
    };

    /// <summary>True for postgrey's recipient syntax without regular expressions: user@domain, user@ or domain.</summary>
    public static bool IsValidRecipientPattern(string pattern)
    {
        var at = pattern.IndexOf('@', StringComparison.Ordinal);
        if (at < 0)
        {
            return DnsNames.IsValidDomainName(pattern);
        }

        var user = pattern[..at];
        var domain = pattern[(at + 1)..];
        return user.Length > 0 && !user.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))
            && (domain.Length == 0 || DnsNames.IsValidDomainName(domain));
    }

    /// <summary>
    /// postgrey's whitelist_recipients matching on a lower-case recipient: "user@domain" and "user@" also match
    /// user+extension; "domain" matches the domain and its subdomains.
    /// </summary>
    public static bool RecipientOptedOut(IReadOnlyList<string> patterns, string recipient)
    {
        var (localPart, domainPart) = MailAddresses.Split(recipient);
        var local = localPart ?? recipient;
        var domain = localPart is null ? "" : domainPart;
        var plus = local.IndexOf('+', StringComparison.Ordinal);
        var user = plus > 0 ? local[..plus] : local;
        foreach (var raw in patterns)
        {
            var pattern = raw.Trim().ToLowerInvariant();
            var patternAt = pattern.IndexOf('@', StringComparison.Ordinal);
            if (patternAt < 0)
            {
                if (localPart is not null && DnsNames.IsSameOrSubdomain(domain, pattern))
                {
                    return true;
                }

                continue;
            }

            var patternUser = pattern[..patternAt];
            var patternDomain = pattern[(patternAt + 1)..];
            if ((local == patternUser || user == patternUser) && (patternDomain.Length == 0 || domain == patternDomain))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A forward-confirmed client name matches a whitelisted host or domain (the domain and its subdomains).</summary>
    public static bool ClientNameWhitelisted(IEnumerable<string> domains, string? confirmedName)
    {
        if (confirmedName is null)
        {
            return false;
        }

        var name = confirmedName.TrimEnd('.').ToLowerInvariant();
        return domains.Any(d => DnsNames.IsSameOrSubdomain(name, d.TrimEnd('.').ToLowerInvariant()));
    }

    /// <summary>
    /// Suspicious mode's test: a client is greylisted when it has no forward-confirmed rDNS name, when that name looks
    /// dynamic, or when its reputation score is above the threshold. A failed DNS lookup counts as no name.
    /// </summary>
    public static bool IsSuspicious(ReverseDnsResult reverseDns, double? score, IPAddress address, GreylistOptions options) =>
        reverseDns.Status != ReverseDnsStatus.Confirmed
        || LooksDynamic(reverseDns.Name!, address)
        || (score is { } s && s > options.SuspiciousScoreThreshold);

    /// <summary>
    /// Generic end-user names: a label token such as "dsl", "pool", "dhcp" or "dyn" (digits around it ignored, as in
    /// "dhcp123"), or the address itself written into the name ("192-0-2-10.example.net", "c000020a.example.net").
    /// Only the labels left of the registered domain are looked at, so "pool.example" itself is not suspect.
    /// </summary>
    public static bool LooksDynamic(string name, IPAddress address)
    {
        var labels = name.TrimEnd('.').ToLowerInvariant().Split('.');
        var hostLabels = labels.Length > 2 ? labels[..^2] : [];
        var host = string.Join('.', hostLabels);
        foreach (var token in host.Split('.', '-', '_'))
        {
            if (s_dynamicTokens.Contains(token.Trim("0123456789".ToCharArray())))
            {
                return true;
            }
        }

        if (!address.IsIPv4())
        {
            return false;
        }

        var octets = address.GetAddressBytes();
        var hex = Convert.ToHexStringLower(octets);
        if (host.Contains(hex, StringComparison.Ordinal))
        {
            return true;
        }

        // Three of the four octets as separate numbers (in either order) is the address, not a server's serial number.
        var numbers = new List<int>();
        for (var i = 0; i < host.Length;)
        {
            var start = i;
            while (i < host.Length && char.IsAsciiDigit(host[i]))
            {
                i++;
            }

            if (i - start is > 0 and <= 3)
            {
                numbers.Add(int.Parse(host.AsSpan(start, i - start), CultureInfo.InvariantCulture));
            }

            i = Math.Max(i, start + 1);
        }

        var matched = 0;
        foreach (var octet in octets)
        {
            var index = numbers.IndexOf(octet);
            if (index >= 0)
            {
                numbers.RemoveAt(index);
                matched++;
            }
        }

        return matched >= 3;
    }
}
