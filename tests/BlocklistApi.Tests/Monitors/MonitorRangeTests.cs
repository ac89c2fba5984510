using BlocklistApi.Monitors;
using BlocklistApi.Net;

namespace BlocklistApi.Tests.Monitors;

public sealed class MonitorRangeTests
{
    [Theory]
    [InlineData("192.0.2.0/24", 256)]
    [InlineData("192.0.2.7/32", 1)]
    [InlineData("2001:db8::/120", 256)]
    [InlineData("2001:db8::8/126", 4)]
    public void Size_Range_CountsItsAddresses(string range, int size) => Assert.Equal(size, MonitorService.Size(IpNetwork.FromText(range)));

    [Fact]
    public void Addresses_Range_EveryAddressInOrder()
    {
        var addresses = MonitorService.Addresses(IpNetwork.FromText("192.0.2.252/30")).Select(a => a.ToString());

        Assert.Equal(["192.0.2.252", "192.0.2.253", "192.0.2.254", "192.0.2.255"], addresses);
    }

    [Fact]
    public void Addresses_Ipv6Range_EveryAddressInOrder()
    {
        var addresses = MonitorService.Addresses(IpNetwork.FromText("2001:db8::fe/127")).Select(a => a.ToString());

        Assert.Equal(["2001:db8::fe", "2001:db8::ff"], addresses);
    }

    [Theory]
    [InlineData("192.0.2.0/24", "192.0.2.5/32", true)]
    [InlineData("192.0.2.5/32", "192.0.2.0/24", true)]
    [InlineData("192.0.2.0/25", "192.0.2.128/25", false)]
    [InlineData("192.0.2.0/24", "2001:db8::/120", false)]
    public void Overlap_TwoRanges_TrueWhenTheyShareAnAddress(string a, string b, bool overlap) =>
        Assert.Equal(overlap, MonitorService.Overlap(IpNetwork.FromText(a), IpNetwork.FromText(b)));

    [Fact]
    public void Alert_Listed_BodyNamesZoneCodeMeaningReasonAndDelistingLink()
    {
        var at = new DateTimeOffset(2026, 11, 28, 12, 30, 0, TimeSpan.Zero);
        var alert = new MonitorAlert(MonitorChange.Listed, "192.0.2.5", "192.0.2.0/28", "Relays", "zen.spamhaus.org", ["127.0.0.3"],
            ["SBL CSS"], ["https://check.spamhaus.org/query/ip/192.0.2.5"], "https://check.spamhaus.org/results/?query=192.0.2.5", at, at);

        Assert.Equal("Our address 192.0.2.5 is listed by zen.spamhaus.org", alert.Subject);
        Assert.Equal(
            """
            zen.spamhaus.org lists 192.0.2.5, one of our monitored sending addresses (192.0.2.0/28, Relays).
            Codes: 127.0.0.3
            Meaning: SBL CSS
            Reason given by the zone: https://check.spamhaus.org/query/ip/192.0.2.5
            Delisting: https://check.spamhaus.org/results/?query=192.0.2.5
            Checked at 2026-11-28 12:30:00Z.
            """.ReplaceLineEndings("\n"),
            alert.Body);
    }
}
