using BlocklistApi.Net;

namespace BlocklistApi.Tests.Net;

public sealed class IpAddressParserTests
{
    [Theory]
    [InlineData("192.0.2.1", "192.0.2.1")]
    [InlineData("0.0.0.0", "0.0.0.0")]
    [InlineData("255.255.255.255", "255.255.255.255")]
    [InlineData("127.0.0.2", "127.0.0.2")]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData("2001:DB8::1", "2001:db8::1")]
    [InlineData("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1")]
    [InlineData("::", "::")]
    [InlineData("::1", "::1")]
    [InlineData("fe80::", "fe80::")]
    [InlineData("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0")]
    [InlineData("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8")]
    [InlineData("::ffff:192.0.2.1", "192.0.2.1")]
    [InlineData("::FFFF:C000:0201", "192.0.2.1")]
    // RFC 4291 section 2.2, form 3: x:x:x:x:x:x:d.d.d.d, the six high-order groups in hex and the low-order 32 bits in
    // dotted decimal, in full or compressed with "::". IPv4-mapped addresses become IPv4.
    [InlineData("0:0:0:0:0:0:13.1.68.3", "::13.1.68.3")]
    [InlineData("0:0:0:0:0:FFFF:129.144.52.38", "129.144.52.38")]
    [InlineData("::13.1.68.3", "::13.1.68.3")]
    [InlineData("::FFFF:129.144.52.38", "129.144.52.38")]
    [InlineData("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304")]
    [InlineData("2001:db8:0:0:0:0:192.0.2.1", "2001:db8::c000:201")]
    [InlineData("1:2:3:4:5::1.2.3.4", "1:2:3:4:5:0:102:304")]
    [InlineData("1::1.2.3.4", "1::102:304")]
    [InlineData("::1:2:3:4:5:1.2.3.4", "0:1:2:3:4:5:102:304")]
    [InlineData("::1.2.3.4", "::1.2.3.4")]
    [InlineData("64:ff9b::192.0.2.33", "64:ff9b::c000:221")]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")]
    public void TryParse_StandardForm_ReturnsCanonicalAddress(string text, string expected)
    {
        Assert.True(IpAddressParser.TryParse(text, out var address, out var error), error);
        Assert.Equal(expected, address.ToString());
        Assert.Equal("", error);
    }

    [Theory]
    [InlineData("", "required")]
    [InlineData("1.2.3", "four dot-separated")]
    [InlineData("1.2", "four dot-separated")]
    [InlineData("2130706433", "four dot-separated")]
    [InlineData("0x7f.0.0.1", "decimal number")]
    [InlineData("0x7f.1", "four dot-separated")]
    [InlineData("01.02.03.04", "leading zero")]
    [InlineData("1.2.3.04", "leading zero")]
    [InlineData("1.2.3.256", "0 to 255")]
    [InlineData("1.2.3.4.", "more than four parts")]
    [InlineData("1..3.4", "empty part")]
    [InlineData("1.2.3.4:25", "port")]
    [InlineData("[::1]", "brackets")]
    [InlineData("[::1]:25", "brackets")]
    [InlineData("fe80::1%eth0", "zone id")]
    [InlineData("10.0.0.0/8", "prefix length")]
    [InlineData("2001:db8::/32", "prefix length")]
    [InlineData("10.0.0.0%2F8", "prefix length")]
    [InlineData("1:2:3:4:5:6:7:8:9", "more than eight groups")]
    [InlineData("1:2:3:4:5:6:7", "eight groups")]
    [InlineData("1:2:3:4:5:6:7:8::", "at least one zero group")]
    [InlineData("::1:2:3:4:5:6:7:8", "at least one zero group")]
    [InlineData(":::", "'::' may appear only once")]
    [InlineData("1::2::3", "'::' may appear only once")]
    [InlineData("12345::", "one to four hex digits")]
    [InlineData("g::1", "one to four hex digits")]
    [InlineData("::ffff:1.2.3", "embedded IPv4")]
    [InlineData("::1.2.3.4:5", "one to four hex digits")]
    [InlineData("1.2.3.4::", "embedded IPv4 address may only end")]
    [InlineData("１.２.３.４", "decimal number")]
    [InlineData("1111111111111111111111111111111111111111111111", "too long")]
    [InlineData("1:2:3:4:5:6:7:1.2.3.4", "more than eight groups")]
    [InlineData("1:2:3:4:5:1.2.3.4", "eight groups")]
    [InlineData("1:2:3:4:5:6::1.2.3.4", "at least one zero group")]
    [InlineData("::ffff:01.2.3.4", "embedded IPv4")]
    [InlineData("::ffff:1.2.3.4.5", "embedded IPv4")]
    [InlineData("::ffff:0x1.2.3.4", "embedded IPv4")]
    [InlineData("::ffff:1.2.3.4%eth0", "zone id")]
    [InlineData("[::ffff:1.2.3.4]", "brackets")]
    [InlineData("::ffff:192.0.2.1/120", "prefix length")]
    [InlineData("1.2.3.4::1", "embedded IPv4 address may only end")]
    public void TryParse_NonStandardForm_FailsWithReason(string text, string reason)
    {
        Assert.False(IpAddressParser.TryParse(text, out _, out var error));
        Assert.Contains(reason, error);
    }
}
