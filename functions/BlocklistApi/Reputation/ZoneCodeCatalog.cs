using System.Net;

namespace BlocklistApi.Reputation;

/// <summary>What the answers of well-known zones mean, and which answers are errors rather than listings.</summary>
/// <remarks>
/// RFC 5782 section 2.3: listings are A records in 127.0.0.0/8. Spamhaus answers 127.255.255.252/254/255 for a typo in
/// the zone name, a query through a public resolver and rate limiting; list.dnswl.org answers 127.0.0.255 when the
/// querier is over its limit. None of these is a listing: reading one as "listed" would block all mail.
/// </remarks>
public static class ZoneCodeCatalog
{
    /// <summary>Classifies one A record a zone returned.</summary>
    public static ZoneCode Classify(string zone, IPAddress code)
    {
        var b = code.GetAddressBytes();
        if (b.Length != 4 || b[0] != 127)
        {
            return ZoneCode.Error($"{code} is outside 127.0.0.0/8: the zone is broken, expired or answers every query (wildcard); its answers are ignored.");
        }

        if (IsSpamhaus(zone))
        {
            var spamhaus = b[3] switch
            {
                2 when b[2] == 0 => "SBL: Spamhaus Block List, a known spam source or spam operation",
                3 when b[2] == 0 => "SBL CSS: Spamhaus Combined Spam Sources, snowshoe or low-reputation sending",
                >= 4 and <= 7 when b[2] == 0 => "XBL: Exploits Block List, an infected or hijacked host (botnet, open proxy)",
                9 when b[2] == 0 => "DROP: a hijacked or criminal network on the Spamhaus Don't Route Or Peer list",
                10 when b[2] == 0 => "PBL: a dynamic or end-user range (listed by the ISP) that should not send mail directly",
                11 when b[2] == 0 => "PBL: a dynamic or end-user range (listed by Spamhaus) that should not send mail directly",
                _ => null,
            };
            if (b[1] == 255 && b[2] == 255)
            {
                return ZoneCode.Error(b[3] switch
                {
                    252 => "Spamhaus 127.255.255.252: the zone name is mistyped.",
                    254 => "Spamhaus 127.255.255.254: queries through a public or open resolver are refused; use your own resolver or Spamhaus DQS.",
                    255 => "Spamhaus 127.255.255.255: too many queries (rate limited); use Spamhaus DQS or a data feed.",
                    _ => $"Spamhaus {code}: an error code, not a listing.",
                });
            }

            return ZoneCode.Listing(spamhaus);
        }

        if (IsDnswl(zone))
        {
            if (b[1] == 0 && b[2] == 0 && b[3] == 255)
            {
                return ZoneCode.Error("list.dnswl.org 127.0.0.255: over the query limit; register for a higher limit or use a data feed.");
            }

            if (b[1] == 255 && b[2] == 255)
            {
                return ZoneCode.Error($"list.dnswl.org {code}: an error code, not a listing.");
            }

            var trust = b[3] switch
            {
                0 => "none (listed, but not trusted)",
                1 => "low",
                2 => "medium",
                3 => "high",
                _ => "unknown",
            };
            return ZoneCode.Listing($"DNSWL: {DnswlCategory(b[2])}, trust level {trust}");
        }

        if (b[1] == 255 && b[2] == 255)
        {
            return ZoneCode.Error($"{code} is in 127.255.255.0/24, which blocklists use for errors (typo, refused resolver, rate limit), not listings.");
        }

        if (zone.EndsWith("spamcop.net", StringComparison.Ordinal) && b[3] == 2)
        {
            return ZoneCode.Listing("SpamCop: reported by SpamCop users as a spam source");
        }

        if (zone.EndsWith("barracudacentral.org", StringComparison.Ordinal) && b[3] == 2)
        {
            return ZoneCode.Listing("Barracuda Reputation Block List: poor sending reputation");
        }

        return ZoneCode.Listing(null);
    }

    /// <summary>The operator's lookup page for zones we know, with {ip} for the address.</summary>
    public static string? DefaultDelistUrl(string zone)
    {
        if (IsSpamhaus(zone))
        {
            return "https://check.spamhaus.org/results/?query={ip}";
        }

        if (IsDnswl(zone))
        {
            return "https://www.dnswl.org/s/?s={ip}";
        }

        if (zone.EndsWith("spamcop.net", StringComparison.Ordinal))
        {
            return "https://www.spamcop.net/w3m?action=checkblock&ip={ip}";
        }

        if (zone.EndsWith("barracudacentral.org", StringComparison.Ordinal))
        {
            return "https://www.barracudacentral.org/lookups/lookup-reputation";
        }

        return null;
    }

    private static bool IsSpamhaus(string zone) =>
        zone.EndsWith("spamhaus.org", StringComparison.Ordinal) || zone.EndsWith("spamhaus.net", StringComparison.Ordinal)
        || zone.EndsWith("spamhaus.com", StringComparison.Ordinal);

    private static bool IsDnswl(string zone) => zone.EndsWith("dnswl.org", StringComparison.Ordinal);

    private static string DnswlCategory(byte category) => category switch
    {
        2 => "financial services",
        3 => "email service provider",
        4 => "organisation",
        5 => "service or network provider",
        6 => "personal or private server",
        7 => "travel and leisure",
        8 => "public sector or government",
        9 => "media and technology",
        10 => "special case",
        11 => "education or academia",
        12 => "healthcare",
        13 => "manufacturing or industry",
        14 => "retail, wholesale or services",
        15 => "email marketing provider",
        20 => "added through self-service",
        _ => $"category {category}",
    };
}

/// <summary>One answer classified: a listing (with its meaning when known) or an error.</summary>
public readonly record struct ZoneCode(bool IsListing, string? Meaning)
{
    public static ZoneCode Listing(string? meaning) => new(true, meaning);

    public static ZoneCode Error(string meaning) => new(false, meaning);
}
