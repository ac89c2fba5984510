using BlocklistApi.Dns;
using DnsClient;
using DnsClient.Protocol;

namespace BlocklistApi.Diagnostics;

// The sender domain's MX hosts and their addresses, looked up once per report for the mx, same-ip and ttl checks.
public sealed partial class DiagnosticsService
{
    private static async Task<MxReport> LookupMxAsync(DnsLookups lookups, string domain, int maxHosts, CancellationToken cancellationToken)
    {
        var mx = await lookups.QueryAsync(domain, QueryType.MX, cancellationToken);
        if (mx.IsFailure)
        {
            return new MxReport(domain, [], [], mx.Error, NullMx: false, Implicit: false, NoSuchDomain: false);
        }

        if (mx.Status == DnsLookupStatus.Found)
        {
            var records = mx.Records.OfType<MxRecord>().OrderBy(r => r.Preference).ToList();
            // RFC 7505: a single MX of preference 0 with the root as exchange means "no mail here".
            if (records.Count == 1 && records[0].Exchange.Value.TrimEnd('.').Length == 0)
            {
                return new MxReport(domain, [], [], null, NullMx: true, Implicit: false, NoSuchDomain: false);
            }

            var hosts = records.Take(maxHosts).Select(r => (Preference: (int)r.Preference, Host: r.Exchange.Value.TrimEnd('.'))).ToList();
            var resolved = await Task.WhenAll(hosts.Select(h => ResolveHostAsync(lookups, h.Preference, h.Host, cancellationToken)));
            return new MxReport(domain, resolved.Select(r => r.Host).ToList(), resolved.SelectMany(r => r.Failures).ToList(), null, NullMx: false, Implicit: false, NoSuchDomain: false);
        }

        // No MX: RFC 5321 section 5.1 delivers to the domain's own A/AAAA records (the implicit MX).
        var own = await ResolveHostAsync(lookups, 0, domain, cancellationToken);
        return new MxReport(
            domain,
            own.Host.Addresses.Count > 0 ? [own.Host] : [],
            own.Failures,
            own.Failures.Count > 0 && own.Host.Addresses.Count == 0 ? string.Join(" ", own.Failures) : null,
            NullMx: false,
            Implicit: true,
            NoSuchDomain: mx.Status == DnsLookupStatus.NxDomain);
    }

    private static async Task<(MxHost Host, IReadOnlyList<string> Failures)> ResolveHostAsync(DnsLookups lookups, int preference, string host, CancellationToken cancellationToken)
    {
        var v4 = lookups.QueryAsync(host, QueryType.A, cancellationToken);
        var v6 = lookups.QueryAsync(host, QueryType.AAAA, cancellationToken);
        var answers = await Task.WhenAll(v4, v6);
        var addresses = answers.SelectMany(a => a.Addresses).Select(a => a.ToString()).ToList();
        return (new MxHost(preference, host, addresses), answers.Where(a => a.IsFailure).Select(a => a.Error!).ToList());
    }

    /// <summary>The sender domain's mail hosts.</summary>
    /// <param name="Domain">The domain.</param>
    /// <param name="Hosts">MX hosts by preference (at most Diagnostics:MaxMxHosts), or the domain itself for an implicit MX with an address.</param>
    /// <param name="Failures">Address lookups that failed.</param>
    /// <param name="Error">Set when the MX lookup itself failed.</param>
    /// <param name="NullMx">The domain publishes a null MX (RFC 7505).</param>
    /// <param name="Implicit">The domain has no MX records.</param>
    /// <param name="NoSuchDomain">The domain does not exist.</param>
    private sealed record MxReport(string Domain, IReadOnlyList<MxHost> Hosts, IReadOnlyList<string> Failures, string? Error, bool NullMx, bool Implicit, bool NoSuchDomain);
}
