using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace BlocklistApi.Dns;

/// <summary>How a DNS query came out. Every feature reads these instead of DnsClient's exceptions and response codes.</summary>
public enum DnsLookupStatus
{
    /// <summary>Records of the asked type came back.</summary>
    Found,
    /// <summary>The name exists but has no record of the asked type (NOERROR with an empty answer, "NODATA").</summary>
    NoData,
    /// <summary>The name does not exist (NXDOMAIN).</summary>
    NxDomain,
    /// <summary>No answer in time.</summary>
    Timeout,
    /// <summary>The server answered SERVFAIL, REFUSED or another error code, or could not be reached.</summary>
    ServerFailure,
    /// <summary>An answer came back that could not be read.</summary>
    Malformed,
    /// <summary>The name cannot be carried by DNS (a label over 63 octets, say); nothing was sent.</summary>
    InvalidName,
}

/// <summary>One DNS answer, typed.</summary>
/// <param name="Name">The name asked for.</param>
/// <param name="Type">The type asked for.</param>
/// <param name="Status">What came back.</param>
/// <param name="Records">The answer records of the asked type (CNAMEs the resolver followed are left out).</param>
/// <param name="Soa">For NODATA and NXDOMAIN, the SOA record of the authority section, if the server sent one.</param>
/// <param name="ResponseCode">The DNS response code, when a response was read.</param>
/// <param name="Error">For failures, what went wrong, in words.</param>
public sealed record DnsLookup(
    string Name,
    QueryType Type,
    DnsLookupStatus Status,
    IReadOnlyList<DnsResourceRecord> Records,
    SoaRecord? Soa,
    DnsHeaderResponseCode? ResponseCode,
    string? Error)
{
    /// <summary>True when DNS could not tell: timeout, server failure, unreadable answer, or a name DNS cannot carry.</summary>
    public bool IsFailure => Status is DnsLookupStatus.Timeout or DnsLookupStatus.ServerFailure or DnsLookupStatus.Malformed or DnsLookupStatus.InvalidName;

    /// <summary>The lowest TTL of the records, as the resolver received them (not what is left of it in a cache).</summary>
    public int? Ttl => Records.Count == 0 ? null : Records.Min(r => r.InitialTimeToLive);

    /// <summary>RFC 2308 section 5: a negative answer may be cached for min(SOA TTL, SOA MINIMUM); zero without an SOA.</summary>
    public TimeSpan NegativeTtl => Soa is null ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Min(Soa.TimeToLive, (long)Soa.Minimum));

    /// <summary>For NODATA and NXDOMAIN, the zone the authority section's SOA names.</summary>
    public string? ZoneApex => Soa?.DomainName.Value.TrimEnd('.');

    /// <summary>The addresses of A and AAAA records.</summary>
    public IReadOnlyList<IPAddress> Addresses => Records.OfType<AddressRecord>().Select(r => r.Address).ToList();

    /// <summary>The names of PTR records, in answer order, without the trailing dot.</summary>
    public IReadOnlyList<string> PtrNames => Records.OfType<PtrRecord>().Select(p => p.PtrDomainName.Value.TrimEnd('.')).Where(n => n.Length > 0).ToList();

    /// <summary>TXT records, each as the concatenation of its character-strings (RFC 1035 section 3.3.14, RFC 7208 section 3.3).</summary>
    public IReadOnlyList<string> Texts => Records.OfType<TxtRecord>().Select(t => string.Concat(t.Text)).ToList();

    /// <summary>A lookup that never reached a server because the name cannot be carried by DNS.</summary>
    public static DnsLookup Invalid(string name, QueryType type) =>
        new(name, type, DnsLookupStatus.InvalidName, [], null, null, $"'{name}' is not a name DNS can look up.");
}
