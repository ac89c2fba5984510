using System.Collections.Concurrent;
using BlocklistApi.Reputation;

namespace BlocklistApi.Zones;

/// <summary>
/// What reputation calls saw of each zone on this instance since it started: answers from DNS and from the cache,
/// listings, and the latency of DNS queries. Lock-free counters, so that counting costs the request path nothing
/// worth measuring.
/// </summary>
public sealed class ZoneStatistics(TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<string, ZoneCounters> _zones = new(StringComparer.Ordinal);

    /// <summary>When this instance started counting.</summary>
    public DateTimeOffset Since { get; } = timeProvider.GetUtcNow();

    /// <summary>Counts an answer a reputation call used, and the DNS query's latency when it came from DNS.</summary>
    public void Count(string zone, ZoneLookup lookup, ListingSource source, TimeSpan latency = default)
    {
        var counters = _zones.GetOrAdd(zone, _ => new ZoneCounters());
        Interlocked.Increment(ref counters.Answers);
        if (source == ListingSource.Cache)
        {
            Interlocked.Increment(ref counters.CacheHits);
        }
        else
        {
            Interlocked.Increment(ref counters.Queries);
            counters.Latency.Add(latency);
        }

        if (lookup.Status == ZoneStatus.Ok)
        {
            Interlocked.Increment(ref counters.Usable);
            if (lookup.Listed)
            {
                Interlocked.Increment(ref counters.Listed);
            }
        }
    }

    /// <summary>The zone's numbers so far.</summary>
    public ZoneCounts Of(string zone)
    {
        if (!_zones.TryGetValue(zone, out var counters))
        {
            return new ZoneCounts(null, null, 0, 0, null, null);
        }

        var answers = Interlocked.Read(ref counters.Answers);
        var usable = Interlocked.Read(ref counters.Usable);
        return new ZoneCounts(
            counters.Latency.Percentile(0.50),
            counters.Latency.Percentile(0.99),
            Interlocked.Read(ref counters.Queries),
            answers,
            usable == 0 ? null : (double)Interlocked.Read(ref counters.Listed) / usable,
            answers == 0 ? null : (double)Interlocked.Read(ref counters.CacheHits) / answers);
    }

    private sealed class ZoneCounters
    {
        public long Answers;
        public long CacheHits;
        public long Queries;
        public long Usable;
        public long Listed;
        public LatencyHistogram Latency { get; } = new();
    }
}

/// <summary>One zone's numbers: latency percentiles in milliseconds and rates from 0 to 1 (null while nothing was counted).</summary>
public sealed record ZoneCounts(double? LatencyP50Ms, double? LatencyP99Ms, long Queries, long Answers, double? ListingRate, double? CacheHitRate);

/// <summary>
/// Latencies in buckets that grow by 10 % from 0.1 ms to over a minute: percentiles come out within 10 % of the
/// true value (the bucket's upper bound is reported) in constant memory, whatever the number of queries.
/// </summary>
public sealed class LatencyHistogram
{
    private const double Smallest = 0.1;
    private const double Growth = 1.1;
    private static readonly int s_buckets = (int)Math.Ceiling(Math.Log(600_000 / Smallest) / Math.Log(Growth)) + 2;
    private readonly long[] _counts = new long[s_buckets];
    private long _total;

    public void Add(TimeSpan latency)
    {
        Interlocked.Increment(ref _counts[BucketOf(latency.TotalMilliseconds)]);
        Interlocked.Increment(ref _total);
    }

    /// <summary>The latency in milliseconds below which <paramref name="quantile"/> of the samples lie; null without samples.</summary>
    public double? Percentile(double quantile)
    {
        var total = Interlocked.Read(ref _total);
        if (total == 0)
        {
            return null;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(quantile * total));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= rank)
            {
                return UpperBound(i);
            }
        }

        return UpperBound(_counts.Length - 1);
    }

    // Bucket 0 holds everything up to 0.1 ms; bucket i (i >= 1) holds (0.1 * 1.1^(i-1), 0.1 * 1.1^i].
    private static int BucketOf(double milliseconds) =>
        milliseconds <= Smallest ? 0 : Math.Min(s_buckets - 1, (int)Math.Ceiling(Math.Log(milliseconds / Smallest) / Math.Log(Growth)));

    private static double UpperBound(int bucket) => Math.Round(Smallest * Math.Pow(Growth, bucket), 3);
}
