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

/// <summary>
/// An allow entry that counts only for mail to one recipient, or to one recipient domain: what an approved whitelist
/// request makes. It lives with the hosted lists (and in their in-memory snapshot) but is not on the allow list.
/// </summary>
/// <param name="Id">The whitelist request that made it (one entry per request).</param>
/// <param name="Range">The address or range, CIDR form.</param>
/// <param name="Recipient">A lower-case address (user@example.net) for one recipient, or a domain (example.net) for all of it.</param>
/// <param name="SenderDomain">When set, mail from another sender domain does not count (when the caller names the sender).</param>
/// <param name="Reason">Shown as the matching entry's reason.</param>
/// <param name="CreatedAt">When it was made.</param>
/// <param name="ExpiresAt">When it stops counting; null for never.</param>
public sealed record ScopedAllowEntry(string Id, string Range, string Recipient, string? SenderDomain, string Reason, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

/// <summary>
/// Who a mail is for, when the caller knows: scoped allow entries count only with it. The recipient is lower-case; the
/// sender domain is null for the null sender or when the caller did not say.
/// </summary>
/// <param name="Recipient">The envelope recipient, lower-case.</param>
/// <param name="SenderDomain">The envelope sender's domain, lower-case, or null.</param>
public sealed record MailContext(string Recipient, string? SenderDomain);
