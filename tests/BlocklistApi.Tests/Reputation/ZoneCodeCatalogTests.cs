using BlocklistApi.Net;
using BlocklistApi.Reputation;

namespace BlocklistApi.Tests.Reputation;

public sealed class ZoneCodeCatalogTests
{
    [Theory]
    [InlineData("zen.spamhaus.org", "127.0.0.2", "SBL")]
    [InlineData("zen.spamhaus.org", "127.0.0.3", "SBL CSS")]
    [InlineData("zen.spamhaus.org", "127.0.0.4", "XBL")]
    [InlineData("zen.spamhaus.org", "127.0.0.7", "XBL")]
    [InlineData("zen.dq.spamhaus.net", "127.0.0.9", "DROP")]
    [InlineData("zen.spamhaus.org", "127.0.0.10", "PBL")]
    [InlineData("zen.spamhaus.org", "127.0.0.11", "PBL")]
    [InlineData("list.dnswl.org", "127.0.15.2", "DNSWL: email marketing provider, trust level medium")]
    [InlineData("list.dnswl.org", "127.0.3.0", "trust level none")]
    public void Classify_KnownListingCode_ExplainsIt(string zone, string code, string meaning)
    {
        var classified = ZoneCodeCatalog.Classify(zone, IpAddressParser.ParseOrNull(code)!);

        Assert.True(classified.IsListing);
        Assert.Contains(meaning, classified.Meaning);
    }

    [Theory]
    [InlineData("zen.spamhaus.org", "127.255.255.252", "mistyped")]
    [InlineData("zen.spamhaus.org", "127.255.255.254", "public or open resolver")]
    [InlineData("zen.spamhaus.org", "127.255.255.255", "rate limited")]
    [InlineData("list.dnswl.org", "127.0.0.255", "over the query limit")]
    [InlineData("bl.example", "127.255.255.1", "errors")]
    [InlineData("bl.example", "10.0.0.1", "outside 127.0.0.0/8")]
    [InlineData("bl.example", "192.0.2.1", "outside 127.0.0.0/8")]
    public void Classify_ErrorAnswer_IsNeverAListing(string zone, string code, string meaning)
    {
        var classified = ZoneCodeCatalog.Classify(zone, IpAddressParser.ParseOrNull(code)!);

        Assert.False(classified.IsListing);
        Assert.Contains(meaning, classified.Meaning);
    }

    [Fact]
    public void Classify_UnknownZoneListing_HasNoMeaning()
    {
        var classified = ZoneCodeCatalog.Classify("bl.example", IpAddressParser.ParseOrNull("127.0.0.2")!);

        Assert.True(classified.IsListing);
        Assert.Null(classified.Meaning);
    }
}
