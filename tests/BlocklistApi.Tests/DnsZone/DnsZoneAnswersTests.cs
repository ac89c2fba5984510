using System.Buffers.Binary;
using System.Text;
using BlocklistApi.DnsZone;
using BlocklistApi.Lists;
using BlocklistApi.Net;

namespace BlocklistApi.Tests.DnsZone;

public sealed class DnsZoneAnswersTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private readonly DnsZoneAnswers _answers = new(
        new DnsZoneOptions { Listen = "127.0.0.1:5353", Name = "bl.example.net", AllowName = "wl.example.net", Ttl = TimeSpan.FromMinutes(5), NegativeTtl = TimeSpan.FromSeconds(90), NameServer = "ns1.example.net" },
        "https://example.net/why",
        serial: 42);

    [Theory]
    [InlineData("10.2.0.192", "192.0.2.10")]
    [InlineData("0.0.0.0", "0.0.0.0")]
    [InlineData("255.255.255.255", "255.255.255.255")]
    [InlineData("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2", "2001:db8::1")]
    [InlineData("2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0", "127.0.0.2")]
    public void ParseReversed_OctetsOrNibbles_GiveTheAddress(string labels, string address)
    {
        Assert.Equal(IpAddressParser.ParseOrNull(address), DnsZoneAnswers.ParseReversed(labels.Split('.')));
    }

    [Theory]
    [InlineData("010.2.0.192")]
    [InlineData("256.2.0.192")]
    [InlineData("x.2.0.192")]
    [InlineData("2.0.192")]
    [InlineData("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.g")]
    public void ParseReversed_NotAnAddress_IsNull(string labels)
    {
        Assert.Null(DnsZoneAnswers.ParseReversed(labels.Split('.')));
    }

    [Fact]
    public void Answer_BlockListedAddress_AnswersA127002()
    {
        var answer = Ask("10.2.0.192.bl.example.net", DnsCodes.TypeA, Block("192.0.2.0/24", "Spam run"));

        Assert.Equal(DnsCodes.NoError, answer.Rcode);
        var a = Assert.Single(answer.Answers);
        Assert.Equal(DnsCodes.TypeA, a.Type);
        Assert.Equal(new byte[] { 127, 0, 0, 2 }, a.Data);
        Assert.Equal(300u, a.Ttl);
    }

    [Fact]
    public void Answer_BlockListedAddressTxt_GivesReasonAndPageLinkWithIp()
    {
        var answer = Ask("10.2.0.192.bl.example.net", DnsCodes.TypeTxt, Block("192.0.2.0/24", "Spam run"));

        Assert.Equal("Spam run; see https://example.net/why?ip=192.0.2.10", Txt(Assert.Single(answer.Answers)));
    }

    [Fact]
    public void Answer_Any_GivesAAndTxt()
    {
        var answer = Ask("10.2.0.192.bl.example.net", DnsCodes.TypeAny, Block("192.0.2.0/24", "Spam run"));

        Assert.Equal([DnsCodes.TypeA, DnsCodes.TypeTxt], answer.Answers.Select(r => r.Type));
    }

    [Fact]
    public void Answer_NotListed_IsNxDomainWithSoaCarryingTheNegativeTtl()
    {
        var answer = Ask("10.2.0.192.bl.example.net", DnsCodes.TypeA, match: null);

        Assert.Equal(DnsCodes.NxDomain, answer.Rcode);
        Assert.Empty(answer.Answers);
        var soa = Assert.Single(answer.Authority);
        Assert.Equal(DnsCodes.TypeSoa, soa.Type);
        Assert.Equal(90u, soa.Ttl);
        Assert.Equal(90u, BinaryPrimitives.ReadUInt32BigEndian(soa.Data.AsSpan(soa.Data.Length - 4)));
        Assert.Equal(42u, BinaryPrimitives.ReadUInt32BigEndian(soa.Data.AsSpan(soa.Data.Length - 20)));
        Assert.Equal(DnsWire.EncodeName("bl.example.net"), soa.WireName);
    }

    [Fact]
    public void Answer_AllowListedAddressInBlockZone_IsNotListed()
    {
        Assert.Equal(DnsCodes.NxDomain, Ask("10.2.0.192.bl.example.net", DnsCodes.TypeA, Allow("192.0.2.10/32")).Rcode);
    }

    [Fact]
    public void Answer_AllowListedAddressInAllowZone_AnswersA127002()
    {
        var answer = Ask("10.2.0.192.wl.example.net", DnsCodes.TypeA, Allow("192.0.2.10/32"));

        Assert.Equal(new byte[] { 127, 0, 0, 2 }, Assert.Single(answer.Answers).Data);
    }

    [Theory]
    [InlineData("2.0.0.127.bl.example.net")]
    [InlineData("2.0.0.127.wl.example.net")]
    [InlineData("2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.bl.example.net")]
    public void Answer_Rfc5782ListedTestPoint_IsListedWhateverTheLists(string name)
    {
        var answer = Ask(name, DnsCodes.TypeTxt, match: null);

        Assert.StartsWith("Test entry (RFC 5782", Txt(Assert.Single(answer.Answers)));
    }

    [Theory]
    [InlineData("1.0.0.127.bl.example.net")]
    [InlineData("1.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.bl.example.net")]
    public void Answer_Rfc5782UnlistedTestPoint_IsNxDomainEvenIfARangeCoversIt(string name)
    {
        Assert.Equal(DnsCodes.NxDomain, Ask(name, DnsCodes.TypeA, Block("127.0.0.0/8", "loopback")).Rcode);
    }

    [Fact]
    public void Answer_Ipv6Listed_ByReversedNibbles()
    {
        var answer = Ask("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.example.net", DnsCodes.TypeTxt, Block("2001:db8::/32", "v6 spam"));

        Assert.Equal("v6 spam; see https://example.net/why?ip=2001:db8::1", Txt(Assert.Single(answer.Answers)));
    }

    [Fact]
    public void Answer_ApexSoaAndNs_AreAnswered()
    {
        var soa = Ask("bl.example.net", DnsCodes.TypeSoa, match: null);
        var ns = Ask("bl.example.net", DnsCodes.TypeNs, match: null);

        Assert.Equal(DnsCodes.TypeSoa, Assert.Single(soa.Answers).Type);
        Assert.Equal(DnsWire.EncodeName("ns1.example.net"), Assert.Single(ns.Answers).Data);
    }

    [Fact]
    public void Answer_ApexA_IsNoDataWithSoa()
    {
        var answer = Ask("bl.example.net", DnsCodes.TypeA, match: null);

        Assert.Equal(DnsCodes.NoError, answer.Rcode);
        Assert.Empty(answer.Answers);
        Assert.Equal(DnsCodes.TypeSoa, Assert.Single(answer.Authority).Type);
    }

    [Theory]
    [InlineData("2.0.192.bl.example.net")]
    [InlineData("0.0.0.0.bl.example.net")]
    public void Answer_PartOfAnAddressName_IsNoDataForQnameMinimisingResolvers(string name)
    {
        var answer = Ask(name, DnsCodes.TypeA, match: null);

        Assert.Equal(DnsCodes.NoError, answer.Rcode);
        Assert.Empty(answer.Answers);
    }

    [Theory]
    [InlineData("www.bl.example.net")]
    [InlineData("10.2.0.192.x.bl.example.net")]
    public void Answer_OtherName_IsNxDomain(string name)
    {
        Assert.Equal(DnsCodes.NxDomain, Ask(name, DnsCodes.TypeA, match: null).Rcode);
    }

    [Theory]
    [InlineData("example.net")]
    [InlineData("bl.example.org")]
    [InlineData("xbl.example.net")]
    public void Locate_NameOutsideOurZones_IsNull(string name)
    {
        Assert.Null(_answers.Locate(DnsWire.Parse(DnsQueries.Query(name, DnsCodes.TypeA))!.Question!));
    }

    [Fact]
    public void ListingText_LongReason_FitsOneTxtStringWithTheLink()
    {
        var text = ListingText.Compose(new string('x', 500) + "\u00e9\n", HostedListKind.Block, "https://example.net/why", "2001:db8:1234:5678:9abc:def0:1234:5678");

        Assert.True(text.Length <= 255);
        Assert.EndsWith("; see https://example.net/why?ip=2001:db8:1234:5678:9abc:def0:1234:5678", text);
    }

    private ZoneAnswer Ask(string name, ushort type, HostedListEntry? match)
    {
        var question = DnsWire.Parse(DnsQueries.Query(name, type))!.Question!;
        var target = _answers.Locate(question)!;
        return _answers.Answer(question, target, match);
    }

    private static HostedListEntry Block(string range, string reason) => new(HostedListKind.Block, range, reason, s_now, s_now, null);

    private static HostedListEntry Allow(string range) => new(HostedListKind.Allow, range, "approved", s_now, s_now, null);

    private static string Txt(DnsRecord record) => Encoding.ASCII.GetString(record.Data, 1, record.Data[0]);
}
