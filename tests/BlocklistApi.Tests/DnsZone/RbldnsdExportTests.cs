using BlocklistApi.Lists;

namespace BlocklistApi.Tests.DnsZone;

public sealed class RbldnsdExportTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Format_BlockList_HasBothDatasetsTestPointsAndEntriesWithTemplates()
    {
        var text = RbldnsdExport.Format(HostedListKind.Block, [Entry(HostedListKind.Block, "192.0.2.0/24", "Spam run"), Entry(HostedListKind.Block, "2001:db8::/32", "v6")], s_now, "https://example.net/");
        var lines = text.Split('\n');

        Assert.Contains("$DATASET ip4trie:block @", lines);
        Assert.Contains("$DATASET ip6trie:block @", lines);
        Assert.Contains("127.0.0.2/32 :127.0.0.2:Test entry (RFC 5782 section 5); see https://example.net/?ip=$", lines);
        Assert.Contains("!127.0.0.1/32", lines);
        Assert.Contains("!::ffff:7f00:1/128", lines);
        Assert.Contains("192.0.2.0/24 :127.0.0.2:Spam run; see https://example.net/?ip=$", lines);
        Assert.Contains("2001:db8::/32 :127.0.0.2:v6; see https://example.net/?ip=$", lines);
        Assert.True(Array.IndexOf(lines, "2001:db8::/32 :127.0.0.2:v6; see https://example.net/?ip=$") > Array.IndexOf(lines, "$DATASET ip6trie:block @"));
    }

    [Fact]
    public void Format_AllowInsideBlock_IsExcluded_BlockInsideAllow_IsLeftOut()
    {
        var text = RbldnsdExport.Format(HostedListKind.Block,
        [
            Entry(HostedListKind.Block, "192.0.2.0/24", "range"),
            Entry(HostedListKind.Allow, "192.0.2.5/32", "approved"),
            Entry(HostedListKind.Allow, "198.51.100.0/24", "approved"),
            Entry(HostedListKind.Block, "198.51.100.7/32", "inside an allowed range"),
        ], s_now, null);
        var lines = text.Split('\n');

        Assert.Contains("!192.0.2.5/32", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("198.51.100.7", StringComparison.Ordinal));
        Assert.DoesNotContain("!198.51.100.0/24", lines);
    }

    [Fact]
    public void Format_ExpiredEntryAndDollarInReason_LeftOutAndReplaced()
    {
        var text = RbldnsdExport.Format(HostedListKind.Block,
        [
            Entry(HostedListKind.Block, "192.0.2.0/24", "expired") with { ExpiresAt = s_now },
            Entry(HostedListKind.Block, "203.0.113.9/32", "won $5 prize"),
        ], s_now, null);

        Assert.DoesNotContain("192.0.2.0/24", text);
        Assert.Contains("203.0.113.9/32 :127.0.0.2:won ?5 prize\n", text);
    }

    [Fact]
    public void Format_AllowList_ListsAllowEntriesWithoutPageLink()
    {
        var text = RbldnsdExport.Format(HostedListKind.Allow, [Entry(HostedListKind.Allow, "192.0.2.5/32", "partner"), Entry(HostedListKind.Block, "192.0.2.0/24", "x")], s_now, "https://example.net/");

        Assert.Contains("192.0.2.5/32 :127.0.0.2:partner\n", text);
        Assert.DoesNotContain("192.0.2.0/24", text);
    }

    private static HostedListEntry Entry(HostedListKind list, string range, string reason) => new(list, range, reason, s_now, s_now, null);
}
