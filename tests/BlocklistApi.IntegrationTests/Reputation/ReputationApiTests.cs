using System.Diagnostics;
using BlocklistApi.Client;

namespace BlocklistApi.IntegrationTests.Reputation;

/// <summary>GET /v1/reputation/{ip} through the generated client, against rbldnsd, a silent zone and Azurite.</summary>
public sealed class ReputationApiTests(ReputationFixture fixture) : IClassFixture<ReputationFixture>
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [SkippableFact]
    public async Task Reputation_Rfc5782TestPoints_127002ListedAnd127001Not()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var client = fixture.Client();

        var listed = await client.GetReputationAsync("127.0.0.2", cts.Token);
        var notListed = await client.GetReputationAsync("127.0.0.1", cts.Token);

        var bl = Zone(listed, "bl.test");
        Assert.True(bl.Listed);
        Assert.Equal(["127.0.0.2"], bl.Codes);
        Assert.Equal(Verdict.Listed, listed.Verdict);
        Assert.False(Zone(notListed, "bl.test").Listed);
        Assert.False(Zone(notListed, "zen.spamhaus.org").Listed);
        Assert.Equal(ZoneStatus.Ok, Zone(notListed, "bl.test").Status);
        Assert.Equal(Verdict.Clean, notListed.Verdict);
    }

    [SkippableFact]
    public async Task Reputation_IpListedWithTwoCodes_ReturnsCodesMeaningsReasonsAndDelistUrl()
    {
        using var cts = new CancellationTokenSource(s_timeout);

        var report = await fixture.Client().GetReputationAsync("192.0.2.30", cts.Token);

        var zen = Zone(report, "zen.spamhaus.org");
        Assert.True(zen.Listed);
        Assert.Equal(["127.0.0.2", "127.0.0.4"], zen.Codes.Order());
        Assert.Contains(zen.Meanings, m => m.StartsWith("SBL", StringComparison.Ordinal));
        Assert.Contains(zen.Meanings, m => m.StartsWith("XBL", StringComparison.Ordinal));
        Assert.Contains("https://check.spamhaus.org/sbl/query/SBL230", zen.Reasons);
        Assert.Equal("https://check.spamhaus.org/results/?query=192.0.2.30", zen.DelistUrl);
        Assert.Equal(Verdict.Listed, report.Verdict);
        Assert.Equal(2, report.Score);
        Assert.Equal("192.0.2.30", report.Ip);
    }

    [SkippableFact]
    public async Task Reputation_TxtWithDollar_ReasonNamesTheAddressAndConfiguredDelistUrl()
    {
        using var cts = new CancellationTokenSource(s_timeout);

        var report = await fixture.Client().GetReputationAsync("192.0.2.10", cts.Token);

        var bl = Zone(report, "bl.test");
        Assert.Equal(["127.0.0.3"], bl.Codes);
        Assert.Equal(["Spam source 192.0.2.10 caught by traps"], bl.Reasons);
        Assert.Equal("https://bl.test/remove?ip=192.0.2.10", bl.DelistUrl);
    }

    [SkippableFact]
    public async Task Reputation_RangeListing_ListsEveryAddressInRange()
    {
        using var cts = new CancellationTokenSource(s_timeout);

        var report = await fixture.Client().GetReputationAsync("198.51.100.77", cts.Token);

        Assert.True(Zone(report, "bl.test").Listed);
        Assert.Equal(["Whole range listed"], Zone(report, "bl.test").Reasons);
    }

    [SkippableTheory]
    [InlineData("2001:db8::10")]
    [InlineData("2001:DB8:0:0:0:0:0:10")]
    [InlineData("2001:0db8:0000:0000:0000:0000:0000:0010")]
    public async Task Reputation_IPv6AnyForm_QueriesNibblesAndIsListed(string ip)
    {
        using var cts = new CancellationTokenSource(s_timeout);

        var report = await fixture.Client().GetReputationAsync(ip, cts.Token);

        Assert.Equal("2001:db8::10", report.Ip);
        var bl = Zone(report, "bl.test");
        Assert.True(bl.Listed);
        Assert.Equal(["IPv6 listed by bl.test"], bl.Reasons);
        Assert.Equal(Verdict.Listed, report.Verdict);
    }

    [SkippableFact]
    public async Task Reputation_IPv6InListedRange_IsListed()
    {
        using var cts = new CancellationTokenSource(s_timeout);

        var report = await fixture.Client().GetReputationAsync("2001:db8:1:2::99", cts.Token);

        Assert.Equal(["127.0.0.3"], Zone(report, "bl.test").Codes);
    }

    [SkippableFact]
    public async Task Reputation_IPv4MappedIPv6_IsCheckedAsIPv4()
    {
        using var cts = new CancellationTokenSource(s_timeout);

        var report = await fixture.Client().GetReputationAsync("::ffff:192.0.2.11", cts.Token);

        Assert.Equal("192.0.2.11", report.Ip);
        Assert.Equal(["127.0.0.10", "127.0.0.4"], Zone(report, "bl.test").Codes.Order());
    }

    [SkippableFact]
    public async Task Reputation_SpamhausErrorCode_IsZoneErrorNotListing()
    {
        using var cts = new CancellationTokenSource(s_timeout);

        var report = await fixture.Client().GetReputationAsync("192.0.2.254", cts.Token);

        var zen = Zone(report, "zen.spamhaus.org");
        Assert.False(zen.Listed);
        Assert.Equal(ZoneStatus.Error, zen.Status);
        Assert.Contains("public or open resolver", zen.Error);
        Assert.Empty(zen.Codes);
        Assert.Equal(Verdict.Clean, report.Verdict);
    }

    [SkippableFact]
    public async Task Reputation_AnswerOutside127_IsZoneErrorNotListing()
    {
        using var cts = new CancellationTokenSource(s_timeout);

        var report = await fixture.Client().GetReputationAsync("192.0.2.66", cts.Token);

        var bl = Zone(report, "bl.test");
        Assert.False(bl.Listed);
        Assert.Equal(ZoneStatus.Error, bl.Status);
        Assert.Contains("outside 127.0.0.0/8", bl.Error);
    }

    [SkippableFact]
    public async Task Reputation_DnswlOverLimitCode_IsZoneError()
    {
        using var cts = new CancellationTokenSource(s_timeout);

        var report = await fixture.Client().GetReputationAsync("192.0.2.41", cts.Token);

        var dnswl = Zone(report, "list.dnswl.org");
        Assert.Equal(ZoneStatus.Error, dnswl.Status);
        Assert.False(dnswl.Listed);
        Assert.Contains("over the query limit", dnswl.Error);
    }

    [SkippableFact]
    public async Task Reputation_AllowZoneOutweighsBlockZone_IsWhitelistedWithNegativeScore()
    {
        using var cts = new CancellationTokenSource(s_timeout);

        // 192.0.2.10: bl.test (weight 1) lists it, list.dnswl.org (allow, weight 5) vouches for it.
        var report = await fixture.Client().GetReputationAsync("192.0.2.10", cts.Token);

        var dnswl = Zone(report, "list.dnswl.org");
        Assert.True(dnswl.Listed);
        Assert.Equal(ZoneKind.Allow, dnswl.Kind);
        Assert.Contains("trust level high", dnswl.Meanings.Single());
        Assert.Equal(Verdict.Whitelisted, report.Verdict);
        Assert.Equal(-4, report.Score);
    }

    [SkippableFact]
    public async Task Reputation_SlowZone_ReportsTimeoutWithinOneZoneTimeout()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var client = fixture.Client();

        var stopwatch = Stopwatch.StartNew();
        var report = await client.GetReputationAsync("192.0.2.99", cts.Token);
        stopwatch.Stop();

        var slow = Zone(report, "slow.test");
        Assert.Equal(ZoneStatus.Timeout, slow.Status);
        Assert.False(slow.Listed);
        Assert.Equal(ListingSource.Dns, slow.Source);
        Assert.All(report.Listings.Where(l => l.Zone != "slow.test"), l => Assert.Equal(ZoneStatus.Ok, l.Status));
        Assert.Equal(Verdict.Clean, report.Verdict);
        // The other zones answer at once and the slow one is cut off by its own timeout (0.5 s): the call must not wait
        // for the client's 30 s. The 10 s bound tells the two apart with room for a loaded machine; status and source
        // above are the exact assertions.
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
    }

    [SkippableFact]
    public async Task Reputation_SecondCall_ComesFromCacheButTimeoutIsNotCached()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var client = fixture.Client();

        var first = await client.GetReputationAsync("192.0.2.11", cts.Token);
        var second = await client.GetReputationAsync("192.0.2.11", cts.Token);

        Assert.Equal(ListingSource.Dns, Zone(first, "bl.test").Source);
        Assert.Equal(ListingSource.Cache, Zone(second, "bl.test").Source);
        Assert.Equal(Zone(first, "bl.test").Codes, Zone(second, "bl.test").Codes);
        Assert.Equal(Zone(first, "bl.test").Reasons, Zone(second, "bl.test").Reasons);
        Assert.Equal(ListingSource.Dns, Zone(second, "slow.test").Source);
    }

    private static ZoneListing Zone(ReputationReport report, string zone) => report.Listings.Single(l => l.Zone == zone);
}
