using System.Text.Json.Serialization;

namespace BlocklistApi.Lists;

/// <summary>Our own hosted lists: the block list and the allow list (approved whitelist requests end up here).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<HostedListKind>))]
public enum HostedListKind
{
    [JsonStringEnumMemberName("block")] Block,
    [JsonStringEnumMemberName("allow")] Allow,
}

/// <summary>An entry of a hosted list.</summary>
/// <param name="List">block or allow.</param>
/// <param name="Range">The address or range in CIDR form, e.g. 192.0.2.0/24 or 2001:db8::7/128.</param>
/// <param name="Reason">Why it is listed; shown to the sender for block entries.</param>
/// <param name="CreatedAt">When the entry was first made.</param>
/// <param name="UpdatedAt">When the entry was last written.</param>
/// <param name="ExpiresAt">When the entry stops counting; null for never.</param>
public sealed record HostedListEntry(
    HostedListKind List,
    string Range,
    string Reason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ExpiresAt);

/// <summary>The body of PUT /v1/lists/{list}/entries/{address}/{prefixLength}.</summary>
/// <param name="Reason">Why; required, at most 500 characters.</param>
/// <param name="ExpiresAt">Optional expiry; must be in the future.</param>
public sealed record HostedListEntryRequest(string? Reason, DateTimeOffset? ExpiresAt);

/// <summary>The answer of GET /v1/lists/{list}/entries.</summary>
public sealed record HostedListEntries(HostedListKind List, IReadOnlyList<HostedListEntry> Entries);

/// <summary>The result of a PUT: the entry, and whether it was new.</summary>
public sealed record HostedListWrite(HostedListEntry Entry, bool Created);

/// <summary>The hosted-list entry that decides for an address (null when none does), and whether the lists were stale.</summary>
/// <param name="Entry">The deciding entry.</param>
/// <param name="Degraded">True when storage did not answer and the last lists this instance read decided.</param>
public sealed record HostedListMatch(HostedListEntry? Entry, bool Degraded);
