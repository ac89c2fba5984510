namespace BlocklistApi.DnsZone;

/// <summary>
/// Our hosted lists served as DNSBL/DNSWL zones (RFC 5782) by the self-host. Section <c>DnsZone</c>; off unless
/// <see cref="Listen"/> is set.
/// </summary>
public sealed class DnsZoneOptions
{
    public const string SectionName = "DnsZone";

    /// <summary>
    /// Where the listener answers, UDP and TCP, as address:port (<c>DnsZone__Listen</c>, e.g. <c>127.0.0.1:5353</c> or
    /// <c>[::1]:5353</c>). Default: empty, no listener.
    /// </summary>
    public string? Listen { get; set; }

    /// <summary>The blocklist zone (<c>DnsZone__Name</c>, e.g. <c>bl.example.net</c>): block list entries answer 127.0.0.2 with a TXT reason. Required with Listen.</summary>
    public string? Name { get; set; }

    /// <summary>The allow list zone (<c>DnsZone__AllowName</c>, e.g. <c>wl.example.net</c>, a DNSWL): allow list entries answer 127.0.0.2. Default: none.</summary>
    public string? AllowName { get; set; }

    /// <summary>TTL of listings, A and TXT (<c>DnsZone__Ttl</c>). Default 00:05:00.</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a "not listed" answer may be cached (<c>DnsZone__NegativeTtl</c>): the SOA's MINIMUM and TTL, which
    /// resolvers take as the negative TTL (RFC 2308 section 5). Default 00:01:00.
    /// </summary>
    public TimeSpan NegativeTtl { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The zones' name server, in the NS records and the SOA's MNAME (<c>DnsZone__NameServer</c>). Default: the zone name.</summary>
    public string? NameServer { get; set; }

    /// <summary>The SOA's RNAME, the zone contact as a name (<c>DnsZone__Hostmaster</c>). Default: hostmaster.&lt;zone&gt;.</summary>
    public string? Hostmaster { get; set; }

    /// <summary>How long an answer may wait for the hosted lists (storage) before it is SERVFAIL (<c>DnsZone__Timeout</c>). Default 00:00:02.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>True when the listener is on.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Listen);
}
