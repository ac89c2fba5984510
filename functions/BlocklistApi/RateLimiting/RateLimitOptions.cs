namespace BlocklistApi.RateLimiting;

/// <summary>
/// Per-client limits of the anonymous routes (the public page and the diagnostics API). Section <c>RateLimit</c>.
/// Each client has a token bucket per policy that holds at most one minute's permits and refills evenly; the
/// buckets live in each instance's memory, so with N instances a client may get up to N times the limit.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimit";

    /// <summary>
    /// Anonymous API calls (GET /v1/diagnostics/{ip}) a client may make per minute; each makes a few dozen DNS
    /// queries and may open an SMTP connection. Also the burst allowed at once. Default 10.
    /// </summary>
    public int PermitsPerMinute { get; set; } = 10;

    /// <summary>Loads of the public page (GET /) a client may make per minute, and the burst. Default 60.</summary>
    public int PagePermitsPerMinute { get; set; } = 60;

    /// <summary>
    /// IPv6 clients are counted per network of this prefix length, because one host or home usually has a whole /64.
    /// Default 64.
    /// </summary>
    public int Ipv6PrefixLength { get; set; } = 64;

    /// <summary>
    /// Reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For we believe. Default none: the client is the
    /// connection's remote address. In Azure Functions that address is already the client's: the worker's ASP.NET
    /// Core integration applies the Functions host's X-Forwarded-For (trusting only the host on loopback). List a
    /// proxy here only when another one stands in front (Front Door, or nginx before the self-host); the client is
    /// then the right-most X-Forwarded-For entry that is not a listed proxy.
    /// </summary>
    public IList<string> TrustedProxies { get; set; } = [];

    /// <summary>
    /// How many client buckets one instance keeps at most. When full, buckets that have refilled are dropped; if
    /// that frees nothing, all are (the limits restart rather than memory growing). Default 100000.
    /// </summary>
    public int MaxTrackedClients { get; set; } = 100_000;
}
