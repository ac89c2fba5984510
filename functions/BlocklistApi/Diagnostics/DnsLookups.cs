using System.Collections.Concurrent;
using System.Net;
using BlocklistApi.Dns;
using DnsClient;

namespace BlocklistApi.Diagnostics;

/// <summary>
/// The DNS lookups of one diagnostics report: each (name, type) is asked once however many checks need it (the mx,
/// same-ip and ttl checks share the MX answer, for example). Trouble is a <see cref="DnsLookupStatus"/>, never an exception.
/// </summary>
internal sealed class DnsLookups(DnsLookupService dns)
{
    private readonly ConcurrentDictionary<(string Name, QueryType Type), Task<DnsLookup>> _lookups = new();

    public Task<DnsLookup> QueryAsync(string name, QueryType type, CancellationToken cancellationToken) =>
        _lookups.GetOrAdd((name.TrimEnd('.').ToLowerInvariant(), type), key => dns.LookupAsync(key.Name, key.Type, cancellationToken));

    /// <summary>The A records for an IPv4 address's family, AAAA for IPv6.</summary>
    public Task<DnsLookup> AddressesAsync(string name, IPAddress family, CancellationToken cancellationToken) =>
        QueryAsync(name, family.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? QueryType.A : QueryType.AAAA, cancellationToken);

    /// <summary>
    /// The NS records of the zone <paramref name="name"/> is in: the name's own NS if it is a zone apex, else those of
    /// the apex named by the SOA that comes back with the empty answer. Null when neither is found.
    /// </summary>
    public async Task<DnsLookup?> ZoneNameServersAsync(string name, CancellationToken cancellationToken)
    {
        var own = await QueryAsync(name, QueryType.NS, cancellationToken);
        if (own.Status == DnsLookupStatus.Found || own.IsFailure)
        {
            return own;
        }

        return own.ZoneApex is { } apex && !apex.Equals(own.Name, StringComparison.OrdinalIgnoreCase)
            ? await QueryAsync(apex, QueryType.NS, cancellationToken)
            : null;
    }
}
