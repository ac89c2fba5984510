namespace BlocklistApi.Reputation;

/// <summary>The DNS blocklists and allow lists we ask. Section <c>Dnsbl</c>.</summary>
public sealed class DnsblOptions
{
    public const string SectionName = "Dnsbl";

    /// <summary>The zones, in the order they appear in answers (<c>Dnsbl__Zones__0__Zone=zen.spamhaus.org</c>). Default: none.</summary>
    public IList<DnsblZoneOptions> Zones { get; set; } = [];
}

/// <summary>One DNS zone to query (RFC 5782).</summary>
public sealed class DnsblZoneOptions
{
    /// <summary>
    /// The zone name, e.g. <c>zen.spamhaus.org</c>. It may carry an access key as its first label
    /// (Spamhaus DQS <c>KEY.zen.dq.spamhaus.net</c>, Abusix <c>KEY.combined.mail.abusix.zone</c>): that label is never
    /// logged or returned. Required.
    /// </summary>
    public string Zone { get; set; } = "";

    /// <summary><c>block</c> (a DNSBL, the default) or <c>allow</c> (a DNSWL such as list.dnswl.org).</summary>
    public ZoneKind Kind { get; set; } = ZoneKind.Block;

    /// <summary>How much a listing counts in the score. Default 1.</summary>
    public double Weight { get; set; } = 1;

    /// <summary>
    /// Where a listed sender can learn more and ask for removal; <c>{ip}</c> is replaced by the address.
    /// Default: the operator's lookup page for zones we know, else none.
    /// </summary>
    public string? DelistUrl { get; set; }

    /// <summary>How long to wait for this zone. Default: <c>Dns:Timeout</c>.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Resolvers for this zone only, as host:port (e.g. a local rbldnsd mirror). Default: <c>Dns:Servers</c>.</summary>
    public IList<string> Servers { get; set; } = [];

    /// <summary>The name shown in answers and logs. Default: the zone without its access key.</summary>
    public string? Name { get; set; }
}
