using BlocklistApi.Lists;
using BlocklistApi.Reputation;

namespace BlocklistApi.Tests.Reputation;

public sealed class ReputationVerdictTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Combine_ListedInTwoBlockZones_ReturnsListedWithSummedWeights()
    {
        var report = ReputationService.Combine("192.0.2.1", [Block("a", listed: true, weight: 1.5), Block("b", listed: true, weight: 2), Block("c", listed: false)], null, s_now);

        Assert.Equal(Verdict.Listed, report.Verdict);
        Assert.Equal(3.5, report.Score);
    }

    [Fact]
    public void Combine_NothingListed_ReturnsClean()
    {
        Assert.Equal(Verdict.Clean, ReputationService.Combine("192.0.2.1", [Block("a", listed: false)], null, s_now).Verdict);
    }

    [Fact]
    public void Combine_NoZonesConfigured_ReturnsClean()
    {
        Assert.Equal(Verdict.Clean, ReputationService.Combine("192.0.2.1", [], null, s_now).Verdict);
    }

    [Fact]
    public void Combine_EveryZoneFailed_ReturnsUnknown()
    {
        var report = ReputationService.Combine("192.0.2.1", [Failed("a", ZoneStatus.Timeout), Failed("b", ZoneStatus.Error)], null, s_now);

        Assert.Equal(Verdict.Unknown, report.Verdict);
    }

    [Fact]
    public void Combine_OneZoneFailedOtherClean_ReturnsClean()
    {
        Assert.Equal(Verdict.Clean, ReputationService.Combine("192.0.2.1", [Failed("a", ZoneStatus.Timeout), Block("b", listed: false)], null, s_now).Verdict);
    }

    [Fact]
    public void Combine_AllowZoneOutweighsBlockZone_ReturnsWhitelisted()
    {
        var report = ReputationService.Combine("192.0.2.1", [Block("a", listed: true, weight: 1), Allow("w", listed: true, weight: 3)], null, s_now);

        Assert.Equal(Verdict.Whitelisted, report.Verdict);
        Assert.Equal(-2, report.Score);
    }

    [Fact]
    public void Combine_BlockZonesOutweighAllowZone_ReturnsListed()
    {
        var report = ReputationService.Combine("192.0.2.1", [Block("a", listed: true, weight: 2), Block("b", listed: true, weight: 2), Allow("w", listed: true, weight: 3)], null, s_now);

        Assert.Equal(Verdict.Listed, report.Verdict);
        Assert.Equal(1, report.Score);
    }

    [Fact]
    public void Combine_HostedAllowEntry_WinsOverEveryBlockListing()
    {
        var report = ReputationService.Combine("192.0.2.1", [Block("a", listed: true, weight: 10)], Entry(HostedListKind.Allow), s_now);

        Assert.Equal(Verdict.Whitelisted, report.Verdict);
        Assert.Equal(10, report.Score);
    }

    [Fact]
    public void Combine_HostedBlockEntry_WinsOverAllowZone()
    {
        var report = ReputationService.Combine("192.0.2.1", [Allow("w", listed: true, weight: 10)], Entry(HostedListKind.Block), s_now);

        Assert.Equal(Verdict.Listed, report.Verdict);
    }

    [Fact]
    public void Combine_HostedEntryWhileEveryZoneFailed_IsNotUnknown()
    {
        var report = ReputationService.Combine("192.0.2.1", [Failed("a", ZoneStatus.Timeout)], Entry(HostedListKind.Block), s_now);

        Assert.Equal(Verdict.Listed, report.Verdict);
    }

    private static HostedListEntry Entry(HostedListKind list) => new(list, "192.0.2.0/24", "test", s_now, s_now, null);

    private static ZoneListing Block(string zone, bool listed, double weight = 1) => Listing(zone, ZoneKind.Block, listed, weight, ZoneStatus.Ok);

    private static ZoneListing Allow(string zone, bool listed, double weight = 1) => Listing(zone, ZoneKind.Allow, listed, weight, ZoneStatus.Ok);

    private static ZoneListing Failed(string zone, ZoneStatus status) => Listing(zone, ZoneKind.Block, false, 1, status);

    private static ZoneListing Listing(string zone, ZoneKind kind, bool listed, double weight, ZoneStatus status) =>
        new(zone, kind, listed, listed ? ["127.0.0.2"] : [], [], [], status, ListingSource.Dns, weight, null, null);
}
