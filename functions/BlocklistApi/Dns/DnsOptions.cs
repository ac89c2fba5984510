using BlocklistApi.Hosting;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Dns;

/// <summary>How we talk to DNS: the resolvers to ask and how long to wait. Section <c>Dns</c>.</summary>
public sealed class DnsOptions
{
    public const string SectionName = "Dns";

    /// <summary>
    /// Resolvers as "host:port" (<c>Dns__Servers__0=127.0.0.1:53</c>). Default: none, which means the system's resolvers.
    /// DNSBL operators refuse queries from big public resolvers, so production should name a local recursive resolver.
    /// </summary>
    public IList<string> Servers { get; set; } = [];

    /// <summary>How long one query may take. Default 00:00:02.</summary>
    [SettingRange("Dns:Timeout", "00:00:00", "00:00:30", MinimumIsExclusive = true)]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Whether the DNS client caches answers by their TTL. Default true. DNSBL lookups always bypass it: they have their own cache.</summary>
    public bool UseCache { get; set; } = true;

    /// <summary>How many times a query is retried after a timeout. Default 1 (DNSBL lookups never retry: they must answer within one timeout).</summary>
    [SettingRange("Dns:Retries", 0, 5)]
    public int Retries { get; set; } = 1;
}

/// <summary>The ranges on <see cref="DnsOptions"/>, checked by the options validation source generator.</summary>
[OptionsValidator]
public sealed partial class DnsOptionsRanges : IValidateOptions<DnsOptions>;
