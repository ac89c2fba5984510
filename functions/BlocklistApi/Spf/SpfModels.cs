using System.Text.Json.Serialization;

namespace BlocklistApi.Spf;

/// <summary>The result of check_host() (RFC 7208 section 2.6), serialized as the RFC's words.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SpfResult>))]
public enum SpfResult
{
    /// <summary>The domain authorizes the client to send for it.</summary>
    [JsonStringEnumMemberName("pass")] Pass,
    /// <summary>The domain says the client is not authorized.</summary>
    [JsonStringEnumMemberName("fail")] Fail,
    /// <summary>The domain says the client is probably not authorized.</summary>
    [JsonStringEnumMemberName("softfail")] SoftFail,
    /// <summary>The domain makes no statement about the client.</summary>
    [JsonStringEnumMemberName("neutral")] Neutral,
    /// <summary>No SPF record, or no usable domain to check.</summary>
    [JsonStringEnumMemberName("none")] None,
    /// <summary>A transient DNS problem; asking again later may give a definite answer.</summary>
    [JsonStringEnumMemberName("temperror")] TempError,
    /// <summary>The published record is wrong (syntax, too many lookups...) and needs its owner's fix.</summary>
    [JsonStringEnumMemberName("permerror")] PermError,
}

/// <summary>Which identity was checked (RFC 7208 section 2.3 and 2.4).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SpfIdentity>))]
public enum SpfIdentity
{
    /// <summary>The domain of the MAIL FROM address.</summary>
    [JsonStringEnumMemberName("mailfrom")] MailFrom,
    /// <summary>The HELO/EHLO name (also used for the null sender, as postmaster@helo).</summary>
    [JsonStringEnumMemberName("helo")] Helo,
}

/// <summary>What check_host() decided for one (ip, domain, sender).</summary>
/// <param name="Result">The SPF result.</param>
/// <param name="Mechanism">The term of the checked domain's record that decided, as written (e.g. <c>-all</c>, <c>include:_spf.example.com</c>); null for the default result and errors.</param>
/// <param name="Explanation">For fail: the domain's exp= text, or our default explanation.</param>
/// <param name="DnsLookups">Terms that caused DNS lookups (include, a, mx, ptr, exists, redirect), limited to 10 by RFC 7208 section 4.6.4.</param>
/// <param name="Domain">The domain that was checked.</param>
/// <param name="Error">For none, temperror and permerror: what went wrong, in words a record owner can act on.</param>
public sealed record SpfCheck(SpfResult Result, string? Mechanism, string? Explanation, int DnsLookups, string Domain, string? Error);

/// <summary>The answer of GET /v1/spf.</summary>
/// <param name="Result">pass, fail, softfail, neutral, none, temperror or permerror.</param>
/// <param name="Mechanism">The term that decided, as written in the record; null when no term matched or on errors.</param>
/// <param name="Explanation">For fail: the explanation the domain publishes (exp=) or our default.</param>
/// <param name="DnsLookups">DNS-querying terms evaluated (the RFC 7208 limit is 10).</param>
/// <param name="Identity">mailfrom, or helo when the sender was empty or not given.</param>
/// <param name="Domain">The domain whose SPF record was checked.</param>
/// <param name="Error">For none, temperror and permerror: what went wrong.</param>
public sealed record SpfReport(
    SpfResult Result,
    string? Mechanism,
    string? Explanation,
    int DnsLookups,
    SpfIdentity Identity,
    string Domain,
    string? Error);
