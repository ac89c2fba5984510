using System.Globalization;
using System.Text;
using BlocklistApi.Net;

namespace BlocklistApi.Lists;

/// <summary>
/// A hosted list as an rbldnsd data file: a "combined" dataset whose two sections are an ip4trie (IPv4) and an
/// ip6trie (IPv6) dataset, so one file serves both families in one zone (rbldnsd -b ADDR ZONE:combined:FILE).
/// The trie datasets take CIDR ranges, give the longest matching prefix and know exclusions (!range), which is how
/// our rule "an allow entry beats any block entry" is kept: block entries inside an allow range are left out, and
/// allow ranges inside a block range are excluded. Expired entries are left out. The RFC 5782 test points are
/// always there: 127.0.0.2 (::ffff:7f00:2) listed, 127.0.0.1 (::ffff:7f00:1) excluded.
/// </summary>
public static class RbldnsdExport
{
    private const string TestReason = "Test entry (RFC 5782 section 5)";

    public static string Format(HostedListKind list, IReadOnlyList<HostedListEntry> entries, DateTimeOffset now, string? pageUrl)
    {
        var live = entries
            .Where(e => e.ExpiresAt is not { } expires || expires > now)
            .Select(e => (Range: IpNetwork.FromText(e.Range), Entry: e))
            .ToArray();
        var listed = live.Where(e => e.Entry.List == list).ToArray();
        var excluded = Array.Empty<IpNetwork>();
        if (list == HostedListKind.Block)
        {
            var allowed = live.Where(e => e.Entry.List == HostedListKind.Allow).Select(e => e.Range).ToArray();
            listed = listed.Where(b => !allowed.Any(a => Covers(a, b.Range))).ToArray();
            excluded = allowed.Where(a => listed.Any(b => Covers(b.Range, a))).Distinct().ToArray();
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# Hosted {(list == HostedListKind.Block ? "block" : "allow")} list, {listed.Length} entries, exported {now.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC.\n");
        text.Append("# An rbldnsd \"combined\" dataset: rbldnsd -b ADDRESS/PORT ZONE:combined:THIS_FILE\n");
        foreach (var (dataset, ipv4) in new[] { ("ip4trie", true), ("ip6trie", false) })
        {
            text.Append(CultureInfo.InvariantCulture, $"$DATASET {dataset}:{(list == HostedListKind.Block ? "block" : "allow")} @\n");
            text.Append(CultureInfo.InvariantCulture, $"{(ipv4 ? "127.0.0.2/32" : "::ffff:7f00:2/128")} :127.0.0.2:{ListingText.Compose(TestReason, list, pageUrl, "$")}\n");
            text.Append(ipv4 ? "!127.0.0.1/32\n" : "!::ffff:7f00:1/128\n");
            foreach (var (range, entry) in listed.Where(e => e.Range.Network.IsIPv4() == ipv4).OrderBy(e => e.Range.ToString(), StringComparer.Ordinal))
            {
                text.Append(CultureInfo.InvariantCulture, $"{range} :127.0.0.2:{ListingText.Compose(entry.Reason, list, pageUrl, "$")}\n");
            }

            foreach (var range in excluded.Where(r => r.Network.IsIPv4() == ipv4).OrderBy(r => r.ToString(), StringComparer.Ordinal))
            {
                text.Append(CultureInfo.InvariantCulture, $"!{range}\n");
            }
        }

        return text.ToString();
    }

    // CIDR ranges either nest or are apart: outer covers inner when it is no longer and contains inner's network.
    private static bool Covers(IpNetwork outer, IpNetwork inner) =>
        outer.PrefixLength <= inner.PrefixLength && outer.Contains(inner.Network);
}
