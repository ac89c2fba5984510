using BlocklistApi.Diagnostics;
using BlocklistApi.Net;

namespace BlocklistApi.Tests.Diagnostics;

public sealed class SpecialPurposeAddressesTests
{
    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.255.254", "loopback")]
    [InlineData("10.1.2.3", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("100.64.0.1", "carrier-grade NAT")]
    [InlineData("0.0.0.0", "this network")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("240.0.0.1", "reserved")]
    [InlineData("255.255.255.255", "reserved")]
    [InlineData("192.0.2.25", "documentation")]
    [InlineData("198.51.100.1", "documentation")]
    [InlineData("203.0.113.9", "documentation")]
    [InlineData("198.18.0.1", "benchmarking")]
    [InlineData("192.0.0.8", "IETF")]
    [InlineData("::1", "loopback")]
    [InlineData("::", "not a global unicast")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fc00::1", "unique local")]
    [InlineData("fd12:3456::1", "unique local")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("64:ff9b::a00:1", "not a global unicast")]
    [InlineData("::ffff:10.0.0.1", "private")]
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("2001:db8::25", "documentation")]
    [InlineData("2001::1", "IETF")]
    [InlineData("2002:a00:1::1", "6to4")]
    [InlineData("3fff::1", "documentation")]
    public void Describe_SpecialAddress_NamesItsRange(string text, string expected)
    {
        var description = SpecialPurposeAddresses.Describe(Parse(text));

        Assert.NotNull(description);
        Assert.Contains(expected, description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("192.0.3.1")]
    [InlineData("2a00:1450:4001::1b")]
    [InlineData("2001:4860::8888")]
    public void Describe_PublicAddress_IsNull(string text)
    {
        Assert.Null(SpecialPurposeAddresses.Describe(Parse(text)));
    }

    [Fact]
    public void MayConnect_LoopbackWithoutAllowList_IsRefused()
    {
        Assert.False(SpecialPurposeAddresses.MayConnect(Parse("127.0.0.1"), [], out var refusal));
        Assert.Contains("loopback", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void MayConnect_AllowListedLoopback_IsAllowedOnlyWithinTheRange()
    {
        IpNetwork[] allowed = [IpNetwork.FromText("127.0.0.1/32")];

        Assert.True(SpecialPurposeAddresses.MayConnect(Parse("127.0.0.1"), allowed, out var refusal));
        Assert.Null(refusal);
        Assert.True(SpecialPurposeAddresses.MayConnect(Parse("::ffff:127.0.0.1"), allowed, out _));
        Assert.False(SpecialPurposeAddresses.MayConnect(Parse("127.0.0.2"), allowed, out _));
        Assert.False(SpecialPurposeAddresses.MayConnect(Parse("10.0.0.1"), allowed, out _));
    }

    [Fact]
    public void MayConnect_PublicAddress_IsAllowed()
    {
        Assert.True(SpecialPurposeAddresses.MayConnect(Parse("8.8.4.4"), [], out var refusal));
        Assert.Null(refusal);
    }

    private static System.Net.IPAddress Parse(string text)
    {
        Assert.True(IpAddressParser.TryParse(text, out var address, out var error), error);
        // IpAddressParser maps ::ffff:a.b.c.d to IPv4; the guard must hold for the mapped form as well.
        return text.StartsWith("::ffff:", StringComparison.Ordinal) ? address.MapToIPv6() : address;
    }
}
