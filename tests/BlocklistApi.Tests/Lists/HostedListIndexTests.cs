using System.Net;
using BlocklistApi.Lists;
using BlocklistApi.Net;

namespace BlocklistApi.Tests.Lists;

public sealed class HostedListIndexTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Match_RandomListsAndAddresses_AgreesWithTheLinearMatch()
    {
        var random = new Random(2001);
        for (var round = 0; round < 50; round++)
        {
            var entries = Enumerable.Range(0, random.Next(1, 60)).Select(_ => RandomEntry(random))
                .OrderByDescending(e => e.Range.PrefixLength).ToArray();
            var index = new HostedListIndex(entries);
            for (var i = 0; i < 400; i++)
            {
                var address = RandomAddress(random);
                Assert.Equal(HostedListService.Match(entries, address, s_now), index.Match(address, s_now));
            }
        }
    }

    [Fact]
    public void Match_ZeroPrefixAndFullLength_AreFound()
    {
        var index = new HostedListIndex([Entry(HostedListKind.Block, "0.0.0.0/0"), Entry(HostedListKind.Allow, "192.0.2.7/32"), Entry(HostedListKind.Block, "::/0")]);

        Assert.Equal("0.0.0.0/0", index.Match(Ip("203.0.113.1"), s_now)!.Range);
        Assert.Equal(HostedListKind.Allow, index.Match(Ip("192.0.2.7"), s_now)!.List);
        Assert.Equal("::/0", index.Match(Ip("2001:db8::1"), s_now)!.Range);
    }

    // Addresses and ranges from small pools, so ranges nest, overlap and repeat across both lists.
    private static (IpNetwork Range, HostedListEntry Entry) RandomEntry(Random random)
    {
        var address = RandomAddress(random);
        var max = address.IsIPv4() ? 32 : 128;
        var range = IpNetwork.Of(address, random.Next(0, 4) == 0 ? max : random.Next(max - 12, max + 1));
        var list = random.Next(3) == 0 ? HostedListKind.Allow : HostedListKind.Block;
        var expires = random.Next(6) == 0 ? s_now.AddMinutes(random.Next(-5, 5)) : (DateTimeOffset?)null;
        return (range, new HostedListEntry(list, range.ToString(), "r", s_now, s_now, expires));
    }

    private static IPAddress RandomAddress(Random random) => random.Next(2) == 0
        ? new IPAddress([192, 0, (byte)random.Next(0, 4), (byte)random.Next(0, 16)])
        : new IPAddress([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte)random.Next(0, 4), (byte)random.Next(0, 16)]);

    private static (IpNetwork Range, HostedListEntry Entry) Entry(HostedListKind list, string range) =>
        (IpNetwork.FromText(range), new HostedListEntry(list, range, "r", s_now, s_now, null));

    private static IPAddress Ip(string text) => IpAddressParser.ParseOrNull(text)!;
}
