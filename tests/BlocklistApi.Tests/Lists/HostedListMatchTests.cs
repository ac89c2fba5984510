using BlocklistApi.Lists;
using BlocklistApi.Net;

namespace BlocklistApi.Tests.Lists;

public sealed class HostedListMatchTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Match_AllowAndBlockBothCover_AllowWins()
    {
        var match = HostedListService.Match(Sorted(Entry(HostedListKind.Block, "192.0.2.7/32"), Entry(HostedListKind.Allow, "192.0.2.0/24")), Ip("192.0.2.7"), s_now);

        Assert.Equal(HostedListKind.Allow, match!.List);
    }

    [Fact]
    public void Match_TwoBlockRanges_MostSpecificWins()
    {
        var match = HostedListService.Match(Sorted(Entry(HostedListKind.Block, "192.0.0.0/16"), Entry(HostedListKind.Block, "192.0.2.0/24")), Ip("192.0.2.7"), s_now);

        Assert.Equal("192.0.2.0/24", match!.Range);
    }

    [Fact]
    public void Match_ExpiredEntry_IsIgnored()
    {
        var expired = Entry(HostedListKind.Block, "192.0.2.0/24") with { ExpiresAt = s_now };

        Assert.Null(HostedListService.Match(Sorted(expired), Ip("192.0.2.7"), s_now));
    }

    [Fact]
    public void Match_OtherFamily_IsIgnored()
    {
        Assert.Null(HostedListService.Match(Sorted(Entry(HostedListKind.Block, "::/0")), Ip("192.0.2.7"), s_now));
    }

    private static System.Net.IPAddress Ip(string text) => IpAddressParser.ParseOrNull(text)!;

    private static HostedListEntry Entry(HostedListKind list, string range) => new(list, range, "test", s_now, s_now, null);

    private static (IpNetwork, HostedListEntry)[] Sorted(params HostedListEntry[] entries) =>
        entries.Select(e => (IpNetwork.FromText(e.Range), e)).OrderByDescending(e => e.Item1.PrefixLength).ToArray();
}
