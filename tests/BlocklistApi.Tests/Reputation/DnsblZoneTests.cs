using System.Net;
using BlocklistApi.Net;
using BlocklistApi.Reputation;

namespace BlocklistApi.Tests.Reputation;

public sealed class DnsblZoneTests
{
    [Theory]
    [InlineData("SECRETKEY123.zen.dq.spamhaus.net", "zen.dq.spamhaus.net")]
    [InlineData("secretkey123.dbl.dq.spamhaus.com", "dbl.dq.spamhaus.com")]
    [InlineData("k3y.combined.mail.abusix.zone", "combined.mail.abusix.zone")]
    [InlineData("zen.spamhaus.org.", "zen.spamhaus.org")]
    [InlineData("ZEN.Spamhaus.ORG", "zen.spamhaus.org")]
    public void DisplayName_ZoneWithAccessKey_NeverShowsTheKey(string zone, string display)
    {
        Assert.Equal(display, DnsblZone.DisplayNameOf(new DnsblZoneOptions { Zone = zone }));
    }

    [Fact]
    public void QueryName_KeyedZone_UsesTheFullZone()
    {
        var zone = new DnsblZone(new DnsblZoneOptions { Zone = "SECRETKEY123.zen.dq.spamhaus.net" }, TimeSpan.FromSeconds(1), Array.Empty<IPEndPoint>());

        Assert.Equal("2.0.0.127.secretkey123.zen.dq.spamhaus.net.", zone.QueryName(IpAddressParser.ParseOrNull("127.0.0.2")!));
        Assert.Equal("zen.dq.spamhaus.net", zone.Name);
    }

    [Fact]
    public void DelistUrl_KnownZoneWithoutSetting_UsesOperatorPage()
    {
        var zone = new DnsblZone(new DnsblZoneOptions { Zone = "zen.spamhaus.org" }, TimeSpan.FromSeconds(1), Array.Empty<IPEndPoint>());

        Assert.Equal("https://check.spamhaus.org/results/?query=192.0.2.1", zone.DelistUrl("192.0.2.1"));
    }

    [Fact]
    public void DelistUrl_IPv6_IsEscaped()
    {
        var zone = new DnsblZone(new DnsblZoneOptions { Zone = "bl.example", DelistUrl = "https://bl.example/?ip={ip}" }, TimeSpan.FromSeconds(1), Array.Empty<IPEndPoint>());

        Assert.Equal("https://bl.example/?ip=2001%3Adb8%3A%3A1", zone.DelistUrl("2001:db8::1"));
    }
}
