using System.Text.Json.Serialization;
using BlocklistApi.Reputation;

namespace BlocklistApi.Zones;

/// <summary>What zone health thinks of a zone.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ZoneState>))]
public enum ZoneState
{
    /// <summary>Its last probe passed (or it was never probed): asked and counted.</summary>
    [JsonStringEnumMemberName("enabled")] Enabled,
    /// <summary>A probe or a real answer went wrong lately: still asked and counted, watched.</summary>
    [JsonStringEnumMemberName("degraded")] Degraded,
    /// <summary>ZoneHealth:FailuresToDisable bad results in a row: not asked by reputation calls, never counted.</summary>
    [JsonStringEnumMemberName("disabled")] Disabled,
}

/// <summary>One probe of a zone's RFC 5782 test points.</summary>
/// <param name="At">When the probe ran.</param>
/// <param name="Passed">True when 127.0.0.2 was listed, 127.0.0.1 was not, and the IPv6 test points (for zones that serve IPv6) agreed.</param>
/// <param name="Detail">What the zone answered, or what was wrong, in words.</param>
/// <param name="LatencyMs">How long the probe's queries took (they run concurrently), in milliseconds.</param>
/// <param name="Codes">The A records the zone answered for the listed test points (127.0.0.2, ::FFFF:7F00:2).</param>
public sealed record ZoneProbe(DateTimeOffset At, bool Passed, string Detail, double LatencyMs, IReadOnlyList<string> Codes);

/// <summary>
/// A zone's stored health: its state, why and since when, and the counts of bad and good results in a row that
/// move it. <see cref="UpdatedAt"/> orders copies of the same zone read at different times.
/// </summary>
public sealed record ZoneHealthRecord(
    string Zone,
    ZoneState State,
    string? Reason,
    DateTimeOffset? Since,
    int Failures,
    int Passes,
    DateTimeOffset? LastFailureAt,
    ZoneProbe? LastProbe,
    DateTimeOffset UpdatedAt,
    string? ETag = null)
{
    /// <summary>A zone nobody has judged yet: enabled.</summary>
    public static ZoneHealthRecord New(string zone) => new(zone, ZoneState.Enabled, null, null, 0, 0, null, null, DateTimeOffset.MinValue);
}

/// <summary>One result that moves a zone's health: a probe, or a bad answer to a real query.</summary>
/// <param name="Passed">True for a good probe. Real queries only ever report bad answers.</param>
/// <param name="Detail">What happened, in words (the reason a state change gives).</param>
/// <param name="Probe">The probe, when this result is one.</param>
public sealed record ZoneCheck(bool Passed, string Detail, ZoneProbe? Probe)
{
    public static ZoneCheck FromProbe(ZoneProbe probe) => new(probe.Passed, probe.Detail, probe);

    public static ZoneCheck BadAnswer(string detail) => new(false, detail, null);
}

/// <summary>One zone as GET /v1/zones shows it.</summary>
/// <param name="Name">The zone's name, never with an access key.</param>
/// <param name="Kind">block or allow.</param>
/// <param name="Weight">The zone's weight in the score.</param>
/// <param name="State">enabled, degraded or disabled.</param>
/// <param name="Reason">Why the zone has its state (the result that changed it); null for a zone that was never judged.</param>
/// <param name="StateSince">When the zone got its state; null for a zone that was never judged.</param>
/// <param name="LastProbe">The last probe of its test points; null before the first.</param>
/// <param name="LatencyP50Ms">Median time of this instance's DNS queries of the zone for reputation calls since it started, in milliseconds; null before the first.</param>
/// <param name="LatencyP99Ms">99th percentile of the same; null before the first.</param>
/// <param name="Queries">DNS queries of the zone for reputation calls on this instance since it started.</param>
/// <param name="Answers">Answers the zone gave to reputation calls on this instance since it started, from DNS or from the cache.</param>
/// <param name="ListingRate">The share of its usable answers (status ok) that were listings; null before the first.</param>
/// <param name="CacheHitRate">The share of its answers that came from the cache; null before the first.</param>
public sealed record ZoneReport(
    string Name,
    ZoneKind Kind,
    double Weight,
    ZoneState State,
    string? Reason,
    DateTimeOffset? StateSince,
    ZoneProbe? LastProbe,
    double? LatencyP50Ms,
    double? LatencyP99Ms,
    long Queries,
    long Answers,
    double? ListingRate,
    double? CacheHitRate);

/// <summary>The answer of GET /v1/zones.</summary>
/// <param name="Zones">Every configured zone, in configuration order.</param>
/// <param name="StatisticsSince">When this instance started counting (latency, rates).</param>
public sealed record ZoneReports(IReadOnlyList<ZoneReport> Zones, DateTimeOffset StatisticsSince);
