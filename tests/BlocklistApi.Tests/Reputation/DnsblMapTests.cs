using BlocklistApi.Dns;
using BlocklistApi.Net;
using BlocklistApi.Reputation;
using DnsClient;
using DnsClient.Protocol;

namespace BlocklistApi.Tests.Reputation;

/// <summary>How a zone's A answer becomes a listing (RFC 5782 section 2.3; RFC 2308 section 5 for negative TTLs).</summary>
public sealed class DnsblMapTests
{
    private static readonly DnsblZone s_zone = Zone("bl.example");
    private static readonly DnsblZone s_spamhaus = Zone("zen.spamhaus.org");

    [Fact]
    public void Map_SeveralListingCodes_ListedWithEachCodeAndTheLowestTtl()
    {
        var lookup = DnsblAnswers.Map(s_zone, Found(("127.0.0.2", 900), ("127.0.0.4", 300), ("127.0.0.3", 600)));

        Assert.Equal(ZoneStatus.Ok, lookup.Status);
        Assert.True(lookup.Listed);
        Assert.Equal(["127.0.0.2", "127.0.0.4", "127.0.0.3"], lookup.Codes);
        Assert.Equal(TimeSpan.FromSeconds(300), lookup.Ttl);
        Assert.Empty(lookup.Reasons);
    }

    [Fact]
    public void Map_KnownZone_ExplainsEachCode()
    {
        var lookup = DnsblAnswers.Map(s_spamhaus, Found(("127.0.0.2", 60), ("127.0.0.10", 60)));

        Assert.Equal(2, lookup.Meanings.Count);
        Assert.Contains("SBL", lookup.Meanings[0], StringComparison.Ordinal);
        Assert.Contains("PBL", lookup.Meanings[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DnsLookupStatus.NxDomain, 3600u, 600, 600)]
    [InlineData(DnsLookupStatus.NxDomain, 60u, 600, 60)]
    [InlineData(DnsLookupStatus.NoData, 300u, 120, 120)]
    public void Map_NegativeAnswer_NotListedForMinOfSoaTtlAndMinimum(DnsLookupStatus status, uint minimum, int soaTtl, int expectedSeconds)
    {
        var lookup = DnsblAnswers.Map(s_zone, Negative(status, Soa(minimum, soaTtl)));

        Assert.Equal(ZoneStatus.Ok, lookup.Status);
        Assert.False(lookup.Listed);
        Assert.Empty(lookup.Codes);
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), lookup.Ttl);
    }

    [Fact]
    public void Map_NegativeAnswerWithoutSoa_NotListedWithZeroTtl()
    {
        var lookup = DnsblAnswers.Map(s_zone, Negative(DnsLookupStatus.NxDomain, null));

        Assert.False(lookup.Listed);
        Assert.Equal(ZoneStatus.Ok, lookup.Status);
        Assert.Equal(TimeSpan.Zero, lookup.Ttl);
    }

    [Theory]
    [InlineData(DnsHeaderResponseCode.ServerFailure)]
    [InlineData(DnsHeaderResponseCode.Refused)]
    [InlineData(DnsHeaderResponseCode.NotImplemented)]
    public void Map_OtherResponseCode_IsZoneErrorNamingIt(DnsHeaderResponseCode code)
    {
        var answer = new DnsLookup("2.0.0.127.bl.example", QueryType.A, DnsLookupStatus.ServerFailure, [], null, code, "x");

        var lookup = DnsblAnswers.Map(s_zone, answer);

        Assert.Equal(ZoneStatus.Error, lookup.Status);
        Assert.False(lookup.Listed);
        Assert.Equal($"The zone's DNS server answered {code} instead of a listing or NXDOMAIN.", lookup.Error);
        Assert.Equal(TimeSpan.Zero, lookup.Ttl);
    }

    [Fact]
    public void Map_ServerUnreachable_IsZoneError()
    {
        var answer = new DnsLookup("2.0.0.127.bl.example", QueryType.A, DnsLookupStatus.ServerFailure, [], null, null, "connection refused");

        var lookup = DnsblAnswers.Map(s_zone, answer);

        Assert.Equal(ZoneStatus.Error, lookup.Status);
        Assert.Equal("The zone's DNS server could not be asked: connection refused", lookup.Error);
    }

    [Fact]
    public void Map_UnreadableAnswer_IsZoneError()
    {
        var answer = new DnsLookup("2.0.0.127.bl.example", QueryType.A, DnsLookupStatus.Malformed, [], null, null, "garbled");

        var lookup = DnsblAnswers.Map(s_zone, answer);

        Assert.Equal(ZoneStatus.Error, lookup.Status);
        Assert.Equal("The zone's answer could not be used: garbled", lookup.Error);
    }

    [Fact]
    public void Map_Timeout_IsTimeoutNamingTheZonesTimeout()
    {
        var answer = new DnsLookup("2.0.0.127.bl.example", QueryType.A, DnsLookupStatus.Timeout, [], null, null, "timed out");

        var lookup = DnsblAnswers.Map(s_zone, answer);

        Assert.Equal(ZoneStatus.Timeout, lookup.Status);
        Assert.Equal("No answer within 1.5 s.", lookup.Error);
        Assert.False(lookup.Listed);
    }

    [Theory]
    [InlineData("127.255.255.254")]
    [InlineData("127.255.255.255")]
    [InlineData("10.0.0.2")]
    public void Map_NonListingCode_IsZoneErrorNeverAListing(string code)
    {
        var lookup = DnsblAnswers.Map(s_spamhaus, Found((code, 60)));

        Assert.Equal(ZoneStatus.Error, lookup.Status);
        Assert.False(lookup.Listed);
        Assert.Empty(lookup.Codes);
    }

    [Fact]
    public void Map_ListingBesideAnErrorCode_IsZoneError()
    {
        var lookup = DnsblAnswers.Map(s_spamhaus, Found(("127.0.0.2", 60), ("127.255.255.254", 60)));

        Assert.Equal(ZoneStatus.Error, lookup.Status);
        Assert.False(lookup.Listed);
        Assert.Contains("resolver", lookup.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Map_TwoErrorCodes_IsZoneErrorGivingBothMeaningsApart()
    {
        var lookup = DnsblAnswers.Map(s_spamhaus, Found(("127.255.255.254", 60), ("127.255.255.255", 60)));

        Assert.Equal(ZoneStatus.Error, lookup.Status);
        Assert.Equal(
            "Spamhaus 127.255.255.254: queries through a public or open resolver are refused; use your own resolver or Spamhaus DQS. "
            + "Spamhaus 127.255.255.255: too many queries (rate limited); use Spamhaus DQS or a data feed.",
            lookup.Error);
    }

    private static DnsblZone Zone(string zone) =>
        new(new DnsblZoneOptions { Zone = zone, Timeout = TimeSpan.FromSeconds(1.5) }, TimeSpan.FromSeconds(2), []);

    private static DnsLookup Found(params (string Address, int Ttl)[] answers) => new(
        "2.0.0.127.bl.example",
        QueryType.A,
        DnsLookupStatus.Found,
        answers.Select(a => (DnsResourceRecord)new ARecord(
            new ResourceRecordInfo("2.0.0.127.bl.example.", ResourceRecordType.A, QueryClass.IN, a.Ttl, 4),
            IpAddressParser.ParseOrNull(a.Address)!)).ToList(),
        null,
        DnsHeaderResponseCode.NoError,
        null);

    private static DnsLookup Negative(DnsLookupStatus status, SoaRecord? soa) => new(
        "2.0.0.127.bl.example",
        QueryType.A,
        status,
        [],
        soa,
        status == DnsLookupStatus.NxDomain ? DnsHeaderResponseCode.NotExistentDomain : DnsHeaderResponseCode.NoError,
        null);

    private static SoaRecord Soa(uint minimum, int ttl) => new(
        new ResourceRecordInfo("bl.example.", ResourceRecordType.SOA, QueryClass.IN, ttl, 40),
        DnsString.Parse("ns.bl.example"),
        DnsString.Parse("hostmaster.bl.example"),
        serial: 1,
        refresh: 3600,
        retry: 600,
        expire: 86400,
        minimum: minimum);
}
