using BlocklistApi.Dns;
using BlocklistApi.Net;

namespace BlocklistApi.Tests.Dns;

public sealed class DnsNamesTests
{
    [Fact]
    public void ReverseLabels_IPv4_ReversesOctets()
    {
        Assert.Equal("2.0.0.127", DnsNames.ReverseLabels(IpAddressParser.ParseOrNull("127.0.0.2")!));
    }

    [Fact]
    public void ReverseLabels_IPv6_Gives32ReversedNibbles()
    {
        // RFC 5782 section 2.4 example.
        var name = DnsNames.ReverseLabels(IpAddressParser.ParseOrNull("2001:db8:1:2:3:4:567:89ab")!);

        Assert.Equal("b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2", name);
    }

    [Theory]
    [InlineData("zen.spamhaus.org", true)]
    [InlineData("zen.spamhaus.org.", true)]
    [InlineData("_spf.example.com", true)]
    [InlineData("", false)]
    [InlineData("bad name.org", false)]
    [InlineData("-bad.org", false)]
    [InlineData("a..b", false)]
    [InlineData(".", false)]
    [InlineData("..", false)]
    [InlineData("example-", false)]
    [InlineData("example.org-", false)]
    [InlineData("a_b-c.org", true)]
    [InlineData("a.b/c", false)]
    [InlineData(null, false)]
    public void IsValidDomainName_Name_Classified(string? name, bool expected)
    {
        Assert.Equal(expected, DnsNames.IsValidDomainName(name));
    }

    [Fact]
    public void IsValidDomainName_LabelOf64_IsInvalid()
    {
        Assert.False(DnsNames.IsValidDomainName(new string('a', 64) + ".org"));
        Assert.True(DnsNames.IsValidDomainName(new string('a', 63) + ".org"));
    }

    [Theory]
    [InlineData("mail.example.com", "example.com", true)]
    [InlineData("example.com", "Example.COM", true)]
    [InlineData("badexample.com", "example.com", false)]
    [InlineData("example.com", "mail.example.com", false)]
    [InlineData("mail.example.com", "other.org", false)]
    [InlineData("mail.example.net", "example.org", false)]
    public void SameOrSubdomain_ComparesWholeLabels(string name, string domain, bool expected)
    {
        Assert.Equal(expected, DnsNames.IsSameOrSubdomain(name, domain));
    }

    [Fact]
    public void ReverseName_BothFamilies()
    {
        Assert.Equal("3.2.0.192.in-addr.arpa", DnsNames.ReverseName(IpAddressParser.ParseOrNull("192.0.2.3")!));
        Assert.Equal("1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", DnsNames.ReverseName(IpAddressParser.ParseOrNull("2001:db8::cb01")!));
    }

    [Fact]
    public void IsValidDomainName_Of253Characters_IsValidAnd254IsNot()
    {
        var longest = string.Join('.', Enumerable.Repeat(new string('a', 63), 3)) + "." + new string('b', 61);

        Assert.Equal(253, longest.Length);
        Assert.True(DnsNames.IsValidDomainName(longest));
        Assert.True(DnsNames.IsValidDomainName(longest + "."));
        Assert.False(DnsNames.IsValidDomainName(longest + "b"));
    }

    [Fact]
    public void IsQueryableName_Of253Characters_IsQueryableAnd254AndEmptyAreNot()
    {
        var longest = string.Join('.', Enumerable.Repeat(new string('a', 63), 3)) + "." + new string('b', 61);

        Assert.True(DnsNames.IsQueryableName(longest));
        Assert.False(DnsNames.IsQueryableName(longest + "b"));
        Assert.False(DnsNames.IsQueryableName(""));
        Assert.False(DnsNames.IsQueryableName("a..b"));
    }

    [Fact]
    public void ReverseLabels_IPv6WithEveryHexDigit_UsesLowerCaseNibbles()
    {
        var name = DnsNames.ReverseLabels(IpAddressParser.ParseOrNull("0123:4567:89ab:cdef:fedc:ba98:7654:3210")!);

        Assert.Equal("0.1.2.3.4.5.6.7.8.9.a.b.c.d.e.f.f.e.d.c.b.a.9.8.7.6.5.4.3.2.1.0", name);
    }
}
