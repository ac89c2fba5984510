using BlocklistApi.Net;

namespace BlocklistApi.Tests.Net;

public sealed class IpNetworkTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("192.0.2.7", "192.0.2.7/32")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("2001:db8::/32", "2001:db8::/32")]
    [InlineData("2001:db8::7", "2001:db8::7/128")]
    [InlineData("::ffff:10.0.0.0/104", "10.0.0.0/8")]
    [InlineData("::ffff:0.0.0.0/96", "0.0.0.0/0")]
    [InlineData("::ffff:10.0.0.1/128", "10.0.0.1/32")]
    [InlineData("::ffff:10.0.0.1", "10.0.0.1/32")]
    [InlineData("10.0.0.1/32", "10.0.0.1/32")]
    [InlineData("::/0", "::/0")]
    [InlineData("2001:db8::1/128", "2001:db8::1/128")]
    public void TryParse_ValidRange_IsCanonical(string text, string expected)
    {
        Assert.True(IpNetwork.TryParse(text, out var network, out var error), error);
        Assert.Equal(expected, network.ToString());
        Assert.Equal("", error);
    }

    [Theory]
    [InlineData("10.0.0.5/24", "did you mean 10.0.0.0/24")]
    [InlineData("10.0.0.0/33", "above 32")]
    [InlineData("10.0.0.0/", "invalid prefix length")]
    [InlineData("10.0.0.0/08", "invalid prefix length")]
    [InlineData("10.0.0.0/-1", "invalid prefix length")]
    [InlineData("2001:db8::/129", "above 128")]
    [InlineData("::ffff:10.0.0.0/95", "from 96 to 128")]
    public void TryParse_InvalidRange_FailsWithReason(string text, string reason)
    {
        Assert.False(IpNetwork.TryParse(text, out _, out var error));
        Assert.Contains(reason, error);
    }

    [Theory]
    [InlineData("192.0.2.0/24", "192.0.2.255", true)]
    [InlineData("192.0.2.0/24", "192.0.3.0", false)]
    [InlineData("192.0.2.128/25", "192.0.2.127", false)]
    [InlineData("192.0.2.128/25", "192.0.2.200", true)]
    [InlineData("0.0.0.0/0", "203.0.113.9", true)]
    [InlineData("10.0.0.0/8", "::ffff:10.1.2.3", true)]
    [InlineData("10.0.0.0/8", "2001:db8::1", false)]
    [InlineData("2001:db8::/32", "2001:db8:ffff::1", true)]
    [InlineData("2001:db8::/33", "2001:db8:8000::1", false)]
    [InlineData("2001:db8::1/128", "2001:db8::1", true)]
    public void Contains_Address_MatchesPrefix(string range, string address, bool expected)
    {
        var network = IpNetwork.FromText(range);
        Assert.Equal(expected, network.Contains(IpAddressParser.ParseOrNull(address)!));
    }

    [Fact]
    public void ToKey_RoundTrips_WithoutSlash()
    {
        var network = IpNetwork.FromText("2001:db8::/48");

        Assert.DoesNotContain('/', network.ToKey());
        Assert.Equal(network, IpNetwork.FromKey(network.ToKey()));
    }

    [Fact]
    public void Of_Address_ClearsHostBits()
    {
        Assert.Equal("192.0.2.0/24", IpNetwork.Of(IpAddressParser.ParseOrNull("192.0.2.77")!, 24).ToString());
        Assert.Equal("2001:db8:1::/48", IpNetwork.Of(IpAddressParser.ParseOrNull("2001:db8:1:2::3")!, 48).ToString());
    }

    [Theory]
    [InlineData(null, "An address or CIDR range is required.")]
    [InlineData(" ", "An address or CIDR range is required.")]
    [InlineData("/24", "An IP address is required.")]
    [InlineData("10.0.0.0/1000", "'10.0.0.0/1000' has an invalid prefix length: write a decimal number after the slash.")]
    [InlineData("10.0.0.0/+8", "'10.0.0.0/+8' has an invalid prefix length: write a decimal number after the slash.")]
    [InlineData("10.0.0.0/33", "'10.0.0.0/33' has a prefix length above 32.")]
    [InlineData("::ffff:10.0.0.0/129", "'::ffff:10.0.0.0/129' is an IPv4-mapped range; its prefix length must be from 96 to 128.")]
    [InlineData("::ffff:10.0.0.0/32", "'::ffff:10.0.0.0/32' is an IPv4-mapped range; its prefix length must be from 96 to 128.")]
    [InlineData("::ffff:10.0.0.1/127", "'::ffff:10.0.0.1/127' has host bits set after the prefix; did you mean 10.0.0.0/31?")]
    public void TryParse_InvalidRange_SaysExactlyWhat(string? text, string expected)
    {
        Assert.False(IpNetwork.TryParse(text, out var network, out var error));
        Assert.Equal(expected, error);
        Assert.Equal(default, network);
    }

    [Theory]
    [InlineData("192.0.2.77", -1)]
    [InlineData("192.0.2.77", 33)]
    [InlineData("2001:db8::1", 129)]
    public void Of_PrefixOutsideTheFamily_Throws(string address, int prefixLength)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => IpNetwork.Of(IpAddressParser.ParseOrNull(address)!, prefixLength));
    }

    [Theory]
    [InlineData("192.0.2.77", 32, "192.0.2.77/32")]
    [InlineData("192.0.2.77", 0, "0.0.0.0/0")]
    [InlineData("192.0.2.77", 25, "192.0.2.0/25")]
    [InlineData("2001:db8::1", 128, "2001:db8::1/128")]
    [InlineData("2001:db8:ffff::1", 33, "2001:db8:8000::/33")]
    public void Of_PrefixAtOrInsideTheEdges_ClearsOnlyTheHostBits(string address, int prefixLength, string expected)
    {
        Assert.Equal(expected, IpNetwork.Of(IpAddressParser.ParseOrNull(address)!, prefixLength).ToString());
    }

    [Fact]
    public void ToKey_Ipv4Range_UsesAnUnderscore()
    {
        Assert.Equal("10.0.0.0_8", IpNetwork.FromText("10.0.0.0/8").ToKey());
        Assert.Equal(IpNetwork.FromText("10.0.0.0/8"), IpNetwork.FromKey("10.0.0.0_8"));
    }

    [Fact]
    public void FromText_TextWeDidNotWrite_Throws()
    {
        var exception = Assert.Throws<FormatException>(() => IpNetwork.FromText("10.0.0.5/24"));

        Assert.Equal("'10.0.0.5/24' has host bits set after the prefix; did you mean 10.0.0.0/24?", exception.Message);
    }
}
