using System.Text.Json.Serialization;

namespace BlocklistApi.Diagnostics;

/// <summary>How a check came out, serialized as the contract's words.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CheckStatus>))]
public enum CheckStatus
{
    /// <summary>As receivers expect.</summary>
    [JsonStringEnumMemberName("pass")] Pass,
    /// <summary>Works, but some receivers may mind; or the check could not run (then <c>data.skipped</c> is true).</summary>
    [JsonStringEnumMemberName("warn")] Warn,
    /// <summary>Receivers are likely to refuse or junk mail because of it.</summary>
    [JsonStringEnumMemberName("fail")] Fail,
    /// <summary>We could not tell: DNS did not answer, or the check ran out of time. Try again later.</summary>
    [JsonStringEnumMemberName("error")] Error,
}

/// <summary>The answer of GET /v1/diagnostics/{ip}.</summary>
/// <param name="Ip">The address checked, canonical (IPv4-mapped IPv6 shown as IPv4).</param>
/// <param name="Checks">Every check, always in the same order (<see cref="DiagnosticsService.CheckNames"/>).</param>
public sealed record DiagnosticsReport(string Ip, IReadOnlyList<DiagnosticCheck> Checks);

/// <summary>One check of a sending mail server's setup.</summary>
/// <param name="Name">rdns, fcrdns, helo, banner, spf, ttl, mx, same-ip or listings.</param>
/// <param name="Status">pass, warn, fail or error.</param>
/// <param name="Detail">What we found, in plain words.</param>
/// <param name="Advice">What to do about it, for the person who runs the server; null when nothing is to be done.</param>
/// <param name="Data">What the check looked at, for programs; its shape depends on the check.</param>
public sealed record DiagnosticCheck(string Name, CheckStatus Status, string Detail, string? Advice, object? Data);

/// <summary>The data of a check that could not run.</summary>
/// <param name="Skipped">Always true.</param>
/// <param name="Reason">no-sender, no-helo, disabled, not-public or no-ptr.</param>
public sealed record SkippedData(bool Skipped, string Reason);

/// <param name="Names">The PTR names of the address, in answer order.</param>
public sealed record ReverseDnsData(IReadOnlyList<string> Names);

/// <param name="Names">The PTR names of the address.</param>
/// <param name="ConfirmedName">The first PTR name that resolves back to the address.</param>
public sealed record ForwardConfirmedData(IReadOnlyList<string> Names, string? ConfirmedName);

/// <param name="Helo">The HELO/EHLO name checked.</param>
/// <param name="Source">given, or banner when it was read from the SMTP greeting.</param>
/// <param name="Addresses">The addresses the name resolves to.</param>
/// <param name="ResolvesToIp">Whether they include the checked address.</param>
/// <param name="MatchesReverseDns">Whether the name is the address's (forward-confirmed) rDNS name.</param>
public sealed record HeloData(string Helo, string Source, IReadOnlyList<string> Addresses, bool ResolvesToIp, bool MatchesReverseDns);

/// <param name="Port">The TCP port connected to.</param>
/// <param name="Greeting">The greeting as received (at most a few lines).</param>
/// <param name="Code">The reply code of the greeting, 220 when the server accepts mail.</param>
/// <param name="Host">The host name the greeting announces.</param>
public sealed record BannerData(int Port, string? Greeting, int? Code, string? Host);

/// <param name="MailFrom">The verdict for the sender's domain, if a sender was given.</param>
/// <param name="Helo">The verdict for the HELO name, if one was given or read from the banner.</param>
public sealed record SpfData(Spf.SpfReport? MailFrom, Spf.SpfReport? Helo);

/// <param name="MinimumTtl">The TTL in seconds each record should have at least.</param>
/// <param name="Records">Every record set looked at.</param>
public sealed record TtlData(int MinimumTtl, IReadOnlyList<RecordTtl> Records);

/// <summary>The TTL of one record set.</summary>
/// <param name="Name">The owner name.</param>
/// <param name="Type">A, AAAA, MX, NS or PTR.</param>
/// <param name="Ttl">The TTL in seconds (the lowest of the set).</param>
public sealed record RecordTtl(string Name, string Type, int Ttl);

/// <param name="Domain">The sender's domain.</param>
/// <param name="Exchanges">The MX hosts, by preference, with the addresses they resolve to.</param>
/// <param name="ImplicitMx">True when the domain has no MX and its own A/AAAA records serve instead (RFC 5321 section 5.1).</param>
public sealed record MxData(string Domain, IReadOnlyList<MxHost> Exchanges, bool ImplicitMx);

/// <param name="Preference">The MX preference (lower is tried first).</param>
/// <param name="Host">The exchange's name.</param>
/// <param name="Addresses">Its A and AAAA addresses.</param>
public sealed record MxHost(int Preference, string Host, IReadOnlyList<string> Addresses);

/// <param name="Domain">The sender's domain.</param>
/// <param name="SameIp">Whether the address is one of the domain's MX addresses.</param>
/// <param name="MxHost">The MX host with the address, if any.</param>
public sealed record SameIpData(string Domain, bool SameIp, string? MxHost);

/// <param name="Verdict">The reputation verdict: clean, listed, whitelisted or unknown.</param>
/// <param name="ListedBy">The blocklists that list the address.</param>
/// <param name="OurList">block or allow when our own hosted list has the address; null otherwise.</param>
/// <param name="ZonesChecked">How many DNS zones were asked.</param>
/// <param name="ZonesUnanswered">How many of them did not answer usefully.</param>
public sealed record ListingsData(Reputation.Verdict Verdict, IReadOnlyList<ZoneListed> ListedBy, Lists.HostedListKind? OurList, int ZonesChecked, int ZonesUnanswered);

/// <param name="Zone">The list's zone name.</param>
/// <param name="Meanings">The listing codes in words, for lists we know.</param>
/// <param name="Reasons">The list's own explanation (its TXT record).</param>
/// <param name="DelistUrl">Where to read about the listing and ask for removal.</param>
public sealed record ZoneListed(string Zone, IReadOnlyList<string> Meanings, IReadOnlyList<string> Reasons, string? DelistUrl);
