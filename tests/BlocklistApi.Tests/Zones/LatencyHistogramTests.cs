using BlocklistApi.Reputation;
using BlocklistApi.Zones;

namespace BlocklistApi.Tests.Zones;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Percentile_NoSamples_IsNull() => Assert.Null(new LatencyHistogram().Percentile(0.5));

    [Fact]
    public void Percentile_OneToThousandMilliseconds_WithinTenPercentAbove()
    {
        var histogram = new LatencyHistogram();
        for (var ms = 1; ms <= 1000; ms++)
        {
            histogram.Add(TimeSpan.FromMilliseconds(ms));
        }

        var p50 = histogram.Percentile(0.50)!.Value;
        var p99 = histogram.Percentile(0.99)!.Value;

        Assert.InRange(p50, 500, 550);
        Assert.InRange(p99, 990, 1089);
    }

    [Fact]
    public void Percentile_ZeroLatency_IsTheSmallestBucket()
    {
        var histogram = new LatencyHistogram();
        histogram.Add(TimeSpan.Zero);

        Assert.Equal(0.1, histogram.Percentile(0.99));
    }

    [Fact]
    public void ZoneStatistics_CacheAndDnsAnswers_RatesAndQueriesCounted()
    {
        var statistics = new ZoneStatistics(TimeProvider.System);
        var listed = new ZoneLookup(ZoneStatus.Ok, ["127.0.0.2"], [], [], null, TimeSpan.FromMinutes(5));
        var clean = ZoneLookup.NotListed(TimeSpan.FromMinutes(5));

        statistics.Count("bl.example", listed, ListingSource.Dns, TimeSpan.FromMilliseconds(4));
        statistics.Count("bl.example", clean, ListingSource.Dns, TimeSpan.FromMilliseconds(4));
        statistics.Count("bl.example", clean, ListingSource.Cache);
        statistics.Count("bl.example", ZoneLookup.TimedOut(TimeSpan.FromSeconds(2)), ListingSource.Dns, TimeSpan.FromSeconds(2));

        var counts = statistics.Of("bl.example");
        Assert.Equal(3, counts.Queries);
        Assert.Equal(4, counts.Answers);
        Assert.Equal(1.0 / 3, counts.ListingRate);
        Assert.Equal(0.25, counts.CacheHitRate);
        Assert.InRange(counts.LatencyP50Ms!.Value, 4, 4.4);
        Assert.InRange(counts.LatencyP99Ms!.Value, 2000, 2200);
        Assert.Equal(new ZoneCounts(null, null, 0, 0, null, null), statistics.Of("other.example"));
    }
}
