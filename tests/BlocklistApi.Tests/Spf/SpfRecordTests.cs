using System.Net;
using BlocklistApi.Spf;

namespace BlocklistApi.Tests.Spf;

public sealed class SpfRecordTests
{
    [Theory]
    [InlineData("v=spf1", true)]
    [InlineData("v=spf1 -all", true)]
    [InlineData("V=SpF1 ~all", true)]
    [InlineData("v=spf10", false)]
    [InlineData("v=spf1mx", false)]
    [InlineData("v=spf1\t-all", false)]
    [InlineData("spf1 -all", false)]
    public void IsSpfRecord_VersionFollowedBySpaceOrEnd(string text, bool expected)
    {
        Assert.Equal(expected, SpfRecord.IsSpfRecord(text));
    }

    [Fact]
    public void Parse_RealisticRecord_ReadsEveryTerm()
    {
        var record = Parse("v=spf1  ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx:mail.example.com/28//64 ~ptr:example.com ?exists:%{i}.bl.example.com include:_spf.example.net -all exp=why.%{d} ");

        Assert.Equal(
            ["ip4:192.0.2.0/24", "ip6:2001:db8::/32", "a", "mx:mail.example.com/28//64", "~ptr:example.com", "?exists:%{i}.bl.example.com", "include:_spf.example.net", "-all"],
            record.Directives.Select(d => d.Text));
        Assert.Equal(
            [SpfResult.Pass, SpfResult.Pass, SpfResult.Pass, SpfResult.Pass, SpfResult.SoftFail, SpfResult.Neutral, SpfResult.Pass, SpfResult.Fail],
            record.Directives.Select(d => d.Qualifier));
        var mx = record.Directives[3];
        Assert.Equal((28, 64), (mx.Cidr4, mx.Cidr6));
        Assert.Equal("mail.example.com", mx.Target!.Text);
        Assert.Null(record.Directives[2].Target);
        Assert.Equal("why.%{d}", record.Explanation!.Text);
        Assert.Null(record.Redirect);
    }

    [Fact]
    public void Parse_Ip4WithHostBits_MatchesTheWholeNetwork()
    {
        var record = Parse("v=spf1 ip4:192.0.2.77/24");

        Assert.True(record.Directives[0].Network!.Value.Contains(Ip("192.0.2.200")));
        Assert.False(record.Directives[0].Network!.Value.Contains(Ip("192.0.3.1")));
    }

    [Fact]
    public void Parse_Ip6MappedAddress_StaysIpv6SoIpv4ClientsNeverMatch()
    {
        var record = Parse("v=spf1 ip6:::FFFF:1.2.3.4");

        Assert.False(record.Directives[0].Network!.Value.Contains(Ip("1.2.3.4")));
        Assert.True(record.Directives[0].Network!.Value.Contains(Ip("1.2.3.4").MapToIPv6()));
    }

    [Theory]
    [InlineData("a/0//0", 0, 0)]
    [InlineData("a//64", 32, 64)]
    [InlineData("a/24", 24, 128)]
    [InlineData("mx:example.com/32//128", 32, 128)]
    public void Parse_DualCidr_ReadsBothLengths(string term, int cidr4, int cidr6)
    {
        var directive = Parse("v=spf1 " + term).Directives[0];

        Assert.Equal((cidr4, cidr6), (directive.Cidr4, directive.Cidr6));
    }

    [Fact]
    public void Covers_DualCidr_AppliesTheFamilysLength()
    {
        var directive = Parse("v=spf1 a/24//64").Directives[0];

        Assert.True(directive.Covers(Ip("192.0.2.9"), Ip("192.0.2.200")));
        Assert.False(directive.Covers(Ip("192.0.3.9"), Ip("192.0.2.200")));
        Assert.True(directive.Covers(Ip("2001:db8::1"), Ip("2001:db8::ffff:1")));
        Assert.False(directive.Covers(Ip("2001:db8::1"), Ip("192.0.2.200")));
    }

    [Theory]
    [InlineData(":foo.example.com/24", ":foo.example.com", "/24")]
    [InlineData(":foo:bar/baz.example.com", ":foo:bar/baz.example.com", "")]
    [InlineData("/24//64", "", "/24//64")]
    [InlineData("//0", "", "//0")]
    [InlineData("/24/64", "/24", "/64")]
    public void SplitDualCidr_TakesTheLongestCidrSuffix(string argument, string spec, string cidr)
    {
        Assert.Equal((spec, cidr), SpfRecord.SplitDualCidr(argument));
    }

    [Theory]
    [InlineData("v=spf1 ip4:1.2.3.4 -all moo", "not a known mechanism")]
    [InlineData("v=spf1 redirect:example.com", "not a known mechanism")]
    [InlineData("v=spf1 moo.cow/far_out=man:dog/cat", "not a known mechanism")]
    [InlineData("v=spf1 1up=foo", "modifier name")]
    [InlineData("v=spf1 =all", "modifier name")]
    [InlineData("v=spf1 -all.", "not a known mechanism")]
    [InlineData("v=spf1 -all:foo", "takes no argument")]
    [InlineData("v=spf1 -all/8", "takes no argument")]
    [InlineData("v=spf1 include", "needs a domain")]
    [InlineData("v=spf1 include:", "cannot be empty")]
    [InlineData("v=spf1 exists", "needs a domain")]
    [InlineData("v=spf1 ptr/0", "no prefix length")]
    [InlineData("v=spf1 a:", "cannot be empty")]
    [InlineData("v=spf1 a/33", "prefix length")]
    [InlineData("v=spf1 a//129", "prefix length")]
    [InlineData("v=spf1 a/24/64", "prefix length")]
    [InlineData("v=spf1 a/24/16", "is not valid")]
    [InlineData("v=spf1 ip4:1.2.3.4/032", "prefix length")]
    [InlineData("v=spf1 ip4:1.2.3.4/33", "prefix length")]
    [InlineData("v=spf1 ip4:1.2.3", "dotted-quad")]
    [InlineData("v=spf1 ip4:1.2.3.4:8080", "dotted-quad")]
    [InlineData("v=spf1 ip4:1.2.3.4//32", "prefix length")]
    [InlineData("v=spf1 ip4", "needs a network")]
    [InlineData("v=spf1 ip6:::1.1.1.1/129", "prefix length")]
    [InlineData("v=spf1 ip6::CAFE::BABE", "not an IPv6")]
    [InlineData("v=spf1 ip6:1.2.3.4", "not an IPv6")]
    [InlineData("v=spf1 exp=a.example.com exp=b.example.com", "more than once")]
    [InlineData("v=spf1 redirect=a.example.com redirect=b.example.com", "more than once")]
    [InlineData("v=spf1 exp=", "cannot be empty")]
    [InlineData("v=spf1 redirect=-all", "top-level label")]
    [InlineData("v=spf1 -all foo=%abc", "must be followed by")]
    [InlineData("v=spf1 exp=%{r}.example.com", "only allowed in explanation")]
    public void Parse_SyntaxErrorAnywhere_IsRefusedWithReason(string text, string reason)
    {
        Assert.False(SpfRecord.TryParse(text, out _, out var error));

        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v=spf1 moo.cow-far_out=man:dog/cat ip4:1.2.3.4 -all")]
    [InlineData("v=spf1 default=+")]
    [InlineData("v=spf1 a:foo:bar/baz.example.com")]
    [InlineData("v=spf1 a:mail.example...com -all")]
    [InlineData("v=spf1")]
    public void Parse_ValidRecord_IsAccepted(string text)
    {
        Assert.True(SpfRecord.TryParse(text, out _, out var error), error);
    }

    [Theory]
    [InlineData("all", false)]
    [InlineData("ip4:192.0.2.1", false)]
    [InlineData("ip6:2001:db8::1", false)]
    [InlineData("include:example.com", true)]
    [InlineData("a", true)]
    [InlineData("mx", true)]
    [InlineData("ptr", true)]
    [InlineData("exists:example.com", true)]
    public void QueriesDns_OnlyTheFiveDnsMechanisms(string term, bool expected)
    {
        Assert.Equal(expected, Parse("v=spf1 " + term).Directives[0].QueriesDns);
    }

    [Fact]
    public void Covers_Ipv6Client_UsesTheIpv6LengthNotTheIpv4One()
    {
        var directive = Parse("v=spf1 a/24//64").Directives[0];

        Assert.False(directive.Covers(Ip("2001:db8:1::1"), Ip("2001:db8:2::1")));
        Assert.True(directive.Covers(Ip("2001:db8:1::1"), Ip("2001:db8:1::2")));
    }

    [Theory]
    [InlineData("ptr", null)]
    [InlineData("ptr:example.com", "example.com")]
    [InlineData("a", null)]
    [InlineData("mx:%{d}", "%{d}")]
    [InlineData("include:_spf.example.com", "_spf.example.com")]
    public void Parse_OptionalDomain_IsTheTargetOrNull(string term, string? target)
    {
        Assert.Equal(target, Parse("v=spf1 " + term).Directives[0].Target?.Text);
    }

    [Theory]
    [InlineData("ip4:192.0.2.1", "192.0.2.1/32")]
    [InlineData("ip4:192.0.2.0/0", "0.0.0.0/0")]
    [InlineData("ip6:2001:db8::1", "2001:db8::1/128")]
    [InlineData("ip6:2001:db8:1::/48", "2001:db8:1::/48")]
    [InlineData("ip6:::ffff:192.0.2.1/120", "::ffff:192.0.2.0/120")]
    public void Parse_IpNetwork_DefaultsToTheFamilysFullLength(string term, string network)
    {
        Assert.Equal(network, Parse("v=spf1 " + term).Directives[0].Network!.Value.ToString());
    }

    [Theory]
    [InlineData("spf1 -all", "The record does not start with 'v=spf1'.")]
    [InlineData("v=spf1 a!b=c", "'a!b=c' is not a valid term: a modifier name starts with a letter and has only letters, digits, '-', '_' and '.' (RFC 7208 section 12).")]
    [InlineData("v=spf1 ip4", "'ip4' needs a network, as ip4:192.0.2.0/24.")]
    [InlineData("v=spf1 ip6", "'ip6' needs a network, as ip6:2001:db8::/32.")]
    [InlineData("v=spf1 ip4:/24", "'ip4:/24': '' is not a dotted-quad IPv4 address (four decimal parts, no leading zeros).")]
    [InlineData("v=spf1 ip4:/033", "'ip4:/033': '/033' has an invalid prefix length: it must be /0 to /32, without leading zeros.")]
    [InlineData("v=spf1 ip4:192.0.2.1/", "'ip4:192.0.2.1/': '192.0.2.1/' has an invalid prefix length: it must be /0 to /32, without leading zeros.")]
    [InlineData("v=spf1 ip6:2001:db8::/129", "'ip6:2001:db8::/129': '2001:db8::/129' has an invalid prefix length: it must be /0 to /128, without leading zeros.")]
    [InlineData("v=spf1 ptr:", "In 'ptr:': A domain is required there (domain-spec cannot be empty).")]
    [InlineData("v=spf1 ptr:example.com/24", "In 'ptr:example.com/24': 'example.com/24' is not a valid domain: it must end in a macro or in a top-level label such as '.com' (RFC 7208 section 7.1); IP addresses belong in ip4:/ip6:.")]
    [InlineData("v=spf1 exists:%{x}", "In 'exists:%{x}': '%{x}': 'x' is not a macro letter (s, l, o, d, i, p, h, v; c, r, t in explanations).")]
    [InlineData("v=spf1 -include", "'-include': include needs a domain, as include:example.com.")]
    [InlineData("v=spf1 MX/24/8", "'MX/24/8' is not valid: write mx, mx:example.com, mx/24 or mx:example.com/24//64.")]
    [InlineData("v=spf1 a:foo.example.com/", "In 'a:foo.example.com/': 'foo.example.com/' is not a valid domain: it must end in a macro or in a top-level label such as '.com' (RFC 7208 section 7.1); IP addresses belong in ip4:/ip6:.")]
    [InlineData("v=spf1 a:foo//", "In 'a:foo//': 'foo//' is not a valid domain: it must end in a macro or in a top-level label such as '.com' (RFC 7208 section 7.1); IP addresses belong in ip4:/ip6:.")]
    [InlineData("v=spf1 foo=%{x}", "In 'foo=%{x}': '%{x}': 'x' is not a macro letter (s, l, o, d, i, p, h, v; c, r, t in explanations).")]
    public void Parse_SyntaxError_SaysExactlyWhat(string text, string expected)
    {
        Assert.False(SpfRecord.TryParse(text, out _, out var error));

        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData(":foo.example.com/", ":foo.example.com/", "")]
    [InlineData(":foo//", ":foo//", "")]
    [InlineData("/", "/", "")]
    [InlineData("//", "//", "")]
    [InlineData("", "", "")]
    [InlineData(":foo.example.com//64", ":foo.example.com", "//64")]
    public void SplitDualCidr_SlashWithoutDigits_StaysInTheDomain(string argument, string spec, string cidr)
    {
        Assert.Equal((spec, cidr), SpfRecord.SplitDualCidr(argument));
    }

    [Fact]
    public void Parse_ValidRecord_HasNoError()
    {
        Assert.True(SpfRecord.TryParse("v=spf1 redirect=_spf.example.com foo=bar", out var record, out var error));

        Assert.Equal("", error);
        Assert.Empty(record.Directives);
        Assert.Equal("_spf.example.com", record.Redirect!.Text);
        Assert.Null(record.Explanation);
    }

    private static SpfRecord Parse(string text)
    {
        Assert.True(SpfRecord.TryParse(text, out var record, out var error), error);
        return record;
    }

    private static IPAddress Ip(string text) => BlocklistApi.Net.IpAddressParser.ParseOrNull(text) ?? throw new ArgumentException(text, nameof(text));
}
