using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using BlocklistApi.Dns;
using BlocklistApi.Reputation;
using DnsClient;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Zones;

/// <summary>
/// Keeps the zones honest: probes their RFC 5782 test points (the health timer), counts bad answers of real queries
/// against them, stores each zone's state (<see cref="ZoneStateStore"/>) and says how the zones are doing (GET /v1/zones).
/// </summary>
public sealed partial class ZoneHealthService(
    DnsblZones zones,
    DnsLookupService dns,
    ZoneStateStore store,
    ZoneStates states,
    ZoneStatistics statistics,
    IOptions<ZoneHealthOptions> options,
    TimeProvider timeProvider,
    ILogger<ZoneHealthService> logger)
{
    private const int MaxWriteAttempts = 5;

    // RFC 5782 section 5 test points: 127.0.0.2 and ::FFFF:7F00:2 listed, 127.0.0.1 and ::FFFF:7F00:1 not.
    private static readonly IPAddress s_listedV4 = new([127, 0, 0, 2]);
    private static readonly IPAddress s_unlistedV4 = new([127, 0, 0, 1]);
    private static readonly IPAddress s_listedV6 = new([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 2]);
    private static readonly IPAddress s_unlistedV6 = new([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1]);

    private readonly ZoneHealthOptions _options = options.Value;
    private readonly Channel<(string Zone, string Detail)> _badAnswers =
        Channel.CreateBounded<(string, string)>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastReported = new(StringComparer.Ordinal);

    /// <summary>Bad answers of real queries waiting to be counted (read by <see cref="ZoneHealthReporter"/>).</summary>
    internal ChannelReader<(string Zone, string Detail)> BadAnswers => _badAnswers.Reader;

    /// <summary>
    /// One health run: probes every zone concurrently (each within its own timeout) and records each result. A zone's
    /// result that cannot be stored is lost (the next run probes again); the others are stored.
    /// </summary>
    public async Task ProbeAllAsync(CancellationToken cancellationToken)
    {
        await states.ReadAsync(cancellationToken);
        var probes = await Task.WhenAll(zones.All.Select(zone => ProbeAsync(zone, cancellationToken)));
        for (var i = 0; i < probes.Length; i++)
        {
            await RecordAsync(zones.All[i].Name, ZoneCheck.FromProbe(probes[i]), cancellationToken);
        }
    }

    /// <summary>Asks the zone for its four test points, concurrently, each within the zone's timeout.</summary>
    public async Task<ZoneProbe> ProbeAsync(DnsblZone zone, CancellationToken cancellationToken)
    {
        var at = timeProvider.GetUtcNow();
        var started = timeProvider.GetTimestamp();
        var asked = await Task.WhenAll(
            Ask(s_listedV4), Ask(s_unlistedV4), Ask(s_listedV6), Ask(s_unlistedV6));
        return ZoneHealthRules.Judge(zone, new ProbeAnswers(asked[0], asked[1], asked[2], asked[3]), at, timeProvider.GetElapsedTime(started));

        Task<DnsLookup> Ask(IPAddress point) => dns.LookupAsync(zone.QueryName(point), QueryType.A, zone.LookupOptions, cancellationToken);
    }

    /// <summary>
    /// Counts a real query's answer against its zone when it is bad (timeout, SERVFAIL, an error code): the request
    /// path only queues it, at most once per zone per ZoneHealth:RefreshInterval, and a background loop stores it.
    /// </summary>
    public void Report(DnsblZone zone, ZoneLookup lookup)
    {
        if (lookup.Status == ZoneStatus.Ok)
        {
            return;
        }

        // Two callers at once may both queue one; the stored LastFailureAt makes the second count nothing.
        var now = timeProvider.GetUtcNow();
        if (now - _lastReported.GetValueOrDefault(zone.Name, DateTimeOffset.MinValue) < _options.RefreshInterval)
        {
            return;
        }

        _lastReported[zone.Name] = now;

        _badAnswers.Writer.TryWrite((zone.Name, $"A real query got a bad answer: {lookup.Error}"));
    }

    /// <summary>
    /// Stores one bad answer of a real query, unless the zone is disabled already (queries in flight when it was
    /// disabled) or a bad result was stored for it within ZoneHealth:RefreshInterval (by any instance).
    /// </summary>
    internal Task CountBadAnswerAsync(string zone, string detail, CancellationToken cancellationToken) =>
        RecordAsync(zone, ZoneCheck.BadAnswer(detail), cancellationToken, skip: current =>
            current.State == ZoneState.Disabled
            || (current.LastFailureAt is { } last && timeProvider.GetUtcNow() - last < _options.RefreshInterval));

    /// <summary>Every configured zone with its state, last probe and this instance's numbers (storage read now).</summary>
    public async Task<ZoneReports> ReportAsync(CancellationToken cancellationToken)
    {
        var known = await states.ReadAsync(cancellationToken);
        var reports = zones.All.Select(zone =>
        {
            var health = known.GetValueOrDefault(zone.Name) ?? ZoneHealthRecord.New(zone.Name);
            var counts = statistics.Of(zone.Name);
            return new ZoneReport(
                zone.Name, zone.Kind, zone.Weight, health.State, health.Reason, health.Since, health.LastProbe,
                counts.LatencyP50Ms, counts.LatencyP99Ms, counts.Queries, counts.Answers, counts.ListingRate, counts.CacheHitRate);
        }).ToList();
        return new ZoneReports(reports, statistics.Since);
    }

    // Read, apply, write with the row's ETag; on a conflict (another instance judged the zone meanwhile) read again.
    private async Task RecordAsync(string zone, ZoneCheck check, CancellationToken cancellationToken, Func<ZoneHealthRecord, bool>? skip = null)
    {
        for (var attempt = 1; attempt <= MaxWriteAttempts; attempt++)
        {
            var current = await store.GetAsync(zone, cancellationToken) ?? ZoneHealthRecord.New(zone);
            if (skip?.Invoke(current) == true)
            {
                states.Remember(current);
                return;
            }

            var next = ZoneHealthRules.Apply(current, check, _options, timeProvider.GetUtcNow());
            if (await store.WriteAsync(next, cancellationToken) is { } written)
            {
                states.Remember(written);
                if (written.State != current.State)
                {
                    Log.StateChanged(logger, zone, written.State, current.State, written.Reason ?? "");
                }

                return;
            }
        }

        Log.WriteConflicts(logger, zone, MaxWriteAttempts);
    }

    private static partial class Log
    {
        [LoggerMessage(1302, LogLevel.Warning, "DNS zone {Zone} is now {State} (was {Previous}): {Reason}")]
        public static partial void StateChanged(ILogger logger, string zone, ZoneState state, ZoneState previous, string reason);

        [LoggerMessage(1303, LogLevel.Warning, "The health of DNS zone {Zone} could not be stored: {Attempts} writes in a row met another instance's")]
        public static partial void WriteConflicts(ILogger logger, string zone, int attempts);
    }
}
