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

    [Theory]
    [InlineData("zen.spamhaus.org", "127.0.0.2", "SBL: Spamhaus Block List, a known spam source or spam operation")]
    [InlineData("sbl.spamhaus.org", "127.0.0.3", "SBL CSS: Spamhaus Combined Spam Sources, snowshoe or low-reputation sending")]
    [InlineData("xbl.spamhaus.org", "127.0.0.4", "XBL: Exploits Block List, an infected or hijacked host (botnet, open proxy)")]
    [InlineData("zen.spamhaus.com", "127.0.0.5", "XBL: Exploits Block List, an infected or hijacked host (botnet, open proxy)")]
    [InlineData("zen.spamhaus.org", "127.0.0.7", "XBL: Exploits Block List, an infected or hijacked host (botnet, open proxy)")]
    [InlineData("zen.spamhaus.org", "127.0.0.9", "DROP: a hijacked or criminal network on the Spamhaus Don't Route Or Peer list")]
    [InlineData("pbl.spamhaus.org", "127.0.0.10", "PBL: a dynamic or end-user range (listed by the ISP) that should not send mail directly")]
    [InlineData("KEY.zen.dq.spamhaus.net", "127.0.0.11", "PBL: a dynamic or end-user range (listed by Spamhaus) that should not send mail directly")]
    [InlineData("bl.spamcop.net", "127.0.0.2", "SpamCop: reported by SpamCop users as a spam source")]
    [InlineData("b.barracudacentral.org", "127.0.0.2", "Barracuda Reputation Block List: poor sending reputation")]
    [InlineData("list.dnswl.org", "127.0.2.0", "DNSWL: financial services, trust level none (listed, but not trusted)")]
    [InlineData("list.dnswl.org", "127.0.3.1", "DNSWL: email service provider, trust level low")]
    [InlineData("list.dnswl.org", "127.0.4.2", "DNSWL: organisation, trust level medium")]
    [InlineData("list.dnswl.org", "127.0.5.3", "DNSWL: service or network provider, trust level high")]
    [InlineData("list.dnswl.org", "127.0.6.4", "DNSWL: personal or private server, trust level unknown")]
    [InlineData("list.dnswl.org", "127.0.7.1", "DNSWL: travel and leisure, trust level low")]
    [InlineData("list.dnswl.org", "127.0.8.1", "DNSWL: public sector or government, trust level low")]
    [InlineData("list.dnswl.org", "127.0.9.1", "DNSWL: media and technology, trust level low")]
    [InlineData("list.dnswl.org", "127.0.10.1", "DNSWL: special case, trust level low")]
    [InlineData("list.dnswl.org", "127.0.11.1", "DNSWL: education or academia, trust level low")]
    [InlineData("list.dnswl.org", "127.0.12.1", "DNSWL: healthcare, trust level low")]
    [InlineData("list.dnswl.org", "127.0.13.1", "DNSWL: manufacturing or industry, trust level low")]
    [InlineData("list.dnswl.org", "127.0.14.1", "DNSWL: retail, wholesale or services, trust level low")]
    [InlineData("list.dnswl.org", "127.0.15.1", "DNSWL: email marketing provider, trust level low")]
    [InlineData("list.dnswl.org", "127.0.20.1", "DNSWL: added through self-service, trust level low")]
    [InlineData("list.dnswl.org", "127.0.16.1", "DNSWL: category 16, trust level low")]
    [InlineData("list.dnswl.org", "127.0.0.1", "DNSWL: category 0, trust level low")]
    public void Classify_KnownZoneListing_HasItsExactMeaning(string zone, string code, string meaning)
    {
        Assert.Equal(ZoneCode.Listing(meaning), ZoneCodeCatalog.Classify(zone, IpAddressParser.ParseOrNull(code)!));
    }

    [Theory]
    [InlineData("zen.spamhaus.org", "127.0.0.1")]
    [InlineData("zen.spamhaus.org", "127.0.0.8")]
    [InlineData("zen.spamhaus.org", "127.0.0.12")]
    [InlineData("zen.spamhaus.org", "127.0.1.2")]
    [InlineData("zen.spamhaus.org", "127.0.1.3")]
    [InlineData("zen.spamhaus.org", "127.0.1.4")]
    [InlineData("zen.spamhaus.org", "127.0.1.9")]
    [InlineData("zen.spamhaus.org", "127.0.1.10")]
    [InlineData("zen.spamhaus.org", "127.0.1.11")]
    [InlineData("zen.spamhaus.org", "127.1.255.2")]
    [InlineData("bl.spamcop.net", "127.0.0.3")]
    [InlineData("b.barracudacentral.org", "127.0.0.3")]
    [InlineData("bl.example", "127.0.0.2")]
    [InlineData("bl.example", "127.0.255.2")]
    [InlineData("bl.example", "127.255.0.2")]
    public void Classify_ListingCodeWithoutAKnownMeaning_IsAListingWithoutMeaning(string zone, string code)
    {
        Assert.Equal(ZoneCode.Listing(null), ZoneCodeCatalog.Classify(zone, IpAddressParser.ParseOrNull(code)!));
    }

    [Theory]
    [InlineData("zen.spamhaus.org", "127.255.255.252", "Spamhaus 127.255.255.252: the zone name is mistyped.")]
    [InlineData("zen.spamhaus.org", "127.255.255.254", "Spamhaus 127.255.255.254: queries through a public or open resolver are refused; use your own resolver or Spamhaus DQS.")]
    [InlineData("zen.spamhaus.org", "127.255.255.255", "Spamhaus 127.255.255.255: too many queries (rate limited); use Spamhaus DQS or a data feed.")]
    [InlineData("zen.spamhaus.org", "127.255.255.2", "Spamhaus 127.255.255.2: an error code, not a listing.")]
    [InlineData("list.dnswl.org", "127.0.0.255", "list.dnswl.org 127.0.0.255: over the query limit; register for a higher limit or use a data feed.")]
    [InlineData("list.dnswl.org", "127.255.255.1", "list.dnswl.org 127.255.255.1: an error code, not a listing.")]
    [InlineData("bl.example", "127.255.255.1", "127.255.255.1 is in 127.255.255.0/24, which blocklists use for errors (typo, refused resolver, rate limit), not listings.")]
    [InlineData("bl.spamcop.net", "127.255.255.2", "127.255.255.2 is in 127.255.255.0/24, which blocklists use for errors (typo, refused resolver, rate limit), not listings.")]
    [InlineData("zen.spamhaus.org", "126.0.0.2", "126.0.0.2 is outside 127.0.0.0/8: the zone is broken, expired or answers every query (wildcard); its answers are ignored.")]
    [InlineData("bl.example", "::1", "::1 is outside 127.0.0.0/8: the zone is broken, expired or answers every query (wildcard); its answers are ignored.")]
    public void Classify_ErrorAnswer_HasItsExactExplanation(string zone, string code, string meaning)
    {
        Assert.Equal(ZoneCode.Error(meaning), ZoneCodeCatalog.Classify(zone, IpAddressParser.ParseOrNull(code)!));
    }

    [Theory]
    [InlineData("list.dnswl.org", "127.0.1.255")]
    [InlineData("list.dnswl.org", "127.0.255.2")]
    [InlineData("list.dnswl.org", "127.1.0.255")]
    public void Classify_DnswlCodeNearTheLimitCode_IsAListing(string zone, string code)
    {
        Assert.True(ZoneCodeCatalog.Classify(zone, IpAddressParser.ParseOrNull(code)!).IsListing);
    }

    [Theory]
    [InlineData("zen.spamhaus.org", "https://check.spamhaus.org/results/?query={ip}")]
    [InlineData("zen.dq.spamhaus.net", "https://check.spamhaus.org/results/?query={ip}")]
    [InlineData("zen.spamhaus.com", "https://check.spamhaus.org/results/?query={ip}")]
    [InlineData("list.dnswl.org", "https://www.dnswl.org/s/?s={ip}")]
    [InlineData("bl.spamcop.net", "https://www.spamcop.net/w3m?action=checkblock&ip={ip}")]
    [InlineData("b.barracudacentral.org", "https://www.barracudacentral.org/lookups/lookup-reputation")]
    [InlineData("bl.example", null)]
    public void DefaultDelistUrl_KnownOperator_IsItsLookupPage(string zone, string? expected)
    {
        Assert.Equal(expected, ZoneCodeCatalog.DefaultDelistUrl(zone));
    }
}
