using BlocklistApi.Hosting;
using Microsoft.Extensions.Options;

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
    [SettingRange("RateLimit:PermitsPerMinute", 1, RateLimitOptionsValidator.MaxPermitsPerMinute)]
    public int PermitsPerMinute { get; set; } = 10;

    /// <summary>Loads of the public page (GET /) a client may make per minute, and the burst. Default 60.</summary>
    [SettingRange("RateLimit:PagePermitsPerMinute", 1, RateLimitOptionsValidator.MaxPermitsPerMinute)]
    public int PagePermitsPerMinute { get; set; } = 60;

    /// <summary>
    /// IPv6 clients are counted per network of this prefix length, because one host or home usually has a whole /64.
    /// Default 64.
    /// </summary>
    [SettingRange("RateLimit:Ipv6PrefixLength", 32, 128)]
    public int Ipv6PrefixLength { get; set; } = 64;

    /// <summary>
    /// Reverse proxies (addresses or CIDR ranges) whose <see cref="ForwardedForHeader"/> we believe. Default none: the
    /// client is the connection's remote address. In Azure Functions that address is already the client's: the
    /// Functions host passes the address it got the request from to the worker as X-Forwarded-For, and the worker's
    /// ASP.NET Core integration applies it, trusting only the host on loopback. List proxies here only when another one
    /// stands in front: nginx before the self-host (with X-Forwarded-For), or Azure Front Door, whose address the
    /// Functions host passes on instead of the client's (azure-functions-host#11254; use its backend ranges with
    /// X-Azure-ClientIP). The client is the right-most entry of the header that is not a listed proxy.
    /// </summary>
    public IList<string> TrustedProxies { get; set; } = [];

    /// <summary>The header a trusted proxy puts the client address in. Default X-Forwarded-For.</summary>
    public string ForwardedForHeader { get; set; } = "X-Forwarded-For";

    /// <summary>
    /// How many client buckets one instance keeps at most. When full, buckets that have refilled are dropped; if
    /// that frees nothing, all are (the limits restart rather than memory growing). Default 100000.
    /// </summary>
    [SettingRange("RateLimit:MaxTrackedClients", 100, 100_000_000)]
    public int MaxTrackedClients { get; set; } = 100_000;
}

/// <summary>The ranges on <see cref="RateLimitOptions"/>, checked by the options validation source generator.</summary>
[OptionsValidator]
public sealed partial class RateLimitOptionsRanges : IValidateOptions<RateLimitOptions>;
