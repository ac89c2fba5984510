using BlocklistApi.Dns;
using BlocklistApi.Net;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Reputation;

/// <summary>The configured zones, built once from validated options.</summary>
public sealed class DnsblZones(IOptions<DnsblOptions> dnsbl, IOptions<DnsOptions> dns)
{
    public IReadOnlyList<DnsblZone> All { get; } = Build(dnsbl.Value, dns.Value);

    private static DnsblZone[] Build(DnsblOptions dnsbl, DnsOptions dns)
    {
        var defaults = EndpointParser.ParseValidated(dns.Servers);
        return dnsbl.Zones
            .Select(z => new DnsblZone(z, dns.Timeout, z.Servers.Count > 0 ? EndpointParser.ParseValidated(z.Servers) : defaults))
            .ToArray();
    }
}
