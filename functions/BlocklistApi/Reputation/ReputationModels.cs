using System.Text.Json.Serialization;
using BlocklistApi.Lists;

namespace BlocklistApi.Reputation;

/// <summary>What a DNS zone is for: a blocklist (DNSBL) or an allow list (DNSWL).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ZoneKind>))]
public enum ZoneKind
{
    [JsonStringEnumMemberName("block")] Block,
    [JsonStringEnumMemberName("allow")] Allow,
}

/// <summary>Whether a zone answered usefully.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ZoneStatus>))]
public enum ZoneStatus
{
    /// <summary>The zone answered; <c>listed</c> says what it said.</summary>
    [JsonStringEnumMemberName("ok")] Ok,
    /// <summary>No answer within the zone's timeout.</summary>
    [JsonStringEnumMemberName("timeout")] Timeout,
    /// <summary>SERVFAIL/REFUSED, or an answer that is an error code (e.g. Spamhaus 127.255.255.254), never a listing.</summary>
    [JsonStringEnumMemberName("error")] Error,
}

/// <summary>Where a zone result came from.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ListingSource>))]
public enum ListingSource
{
    [JsonStringEnumMemberName("dns")] Dns,
    [JsonStringEnumMemberName("cache")] Cache,
}

/// <summary>The overall answer for an address.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Verdict>))]
public enum Verdict
{
    /// <summary>No block listing (and at least one zone answered, or none is configured).</summary>
    [JsonStringEnumMemberName("clean")] Clean,
    /// <summary>On our block list, or block zones outweigh allow zones.</summary>
    [JsonStringEnumMemberName("listed")] Listed,
    /// <summary>On our allow list, or allow zones outweigh block zones.</summary>
    [JsonStringEnumMemberName("whitelisted")] Whitelisted,
    /// <summary>Every configured zone failed and no hosted list matched: we cannot tell.</summary>
    [JsonStringEnumMemberName("unknown")] Unknown,
}

/// <summary>The answer of GET /v1/reputation/{ip}.</summary>
/// <param name="Ip">The address checked, canonical (IPv4-mapped IPv6 shown as IPv4).</param>
/// <param name="Verdict">clean, listed, whitelisted or unknown.</param>
/// <param name="Score">Sum of the weights of block zones that list the address, minus those of allow zones that list it.</param>
/// <param name="Listings">One entry per configured zone, in configuration order.</param>
/// <param name="LocalListing">The entry of our own hosted allow or block list that matched, if any.</param>
/// <param name="CheckedAt">When the answer was made.</param>
/// <param name="Degraded">True when storage did not answer in time: the answer comes from DNS without our cache, and from the last hosted lists this instance read.</param>
public sealed record ReputationReport(
    string Ip,
    Verdict Verdict,
    double Score,
    IReadOnlyList<ZoneListing> Listings,
    HostedListEntry? LocalListing,
    DateTimeOffset CheckedAt,
    bool Degraded = false);

/// <summary>What one zone said about the address.</summary>
/// <param name="Zone">The zone name, never including an access key.</param>
/// <param name="Kind">block or allow.</param>
/// <param name="Listed">True when the zone lists the address (only answers in 127.0.0.0/8 that are not error codes).</param>
/// <param name="Codes">The A records the zone returned (listing codes), e.g. 127.0.0.2.</param>
/// <param name="Meanings">Each code in words, for zones we know.</param>
/// <param name="Reasons">The zone's TXT records when listed.</param>
/// <param name="Status">ok, timeout or error.</param>
/// <param name="Source">dns, or cache when the answer came from our cache.</param>
/// <param name="Weight">The zone's configured weight.</param>
/// <param name="Error">For status error or timeout: what went wrong, in words.</param>
/// <param name="DelistUrl">Where a listed sender can read about the listing and ask for removal.</param>
public sealed record ZoneListing(
    string Zone,
    ZoneKind Kind,
    bool Listed,
    IReadOnlyList<string> Codes,
    IReadOnlyList<string> Meanings,
    IReadOnlyList<string> Reasons,
    ZoneStatus Status,
    ListingSource Source,
    double Weight,
    string? Error,
    string? DelistUrl);
