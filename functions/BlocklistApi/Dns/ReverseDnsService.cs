using System.Net;
using System.Text.Json.Serialization;
using BlocklistApi.Net;
using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Logging;

namespace BlocklistApi.Dns;

/// <summary>The outcome of a forward-confirmed reverse DNS lookup.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReverseDnsStatus>))]
public enum ReverseDnsStatus
{
    /// <summary>A PTR name resolves back to the address: <see cref="ReverseDnsResult.Name"/> is that name.</summary>
    [JsonStringEnumMemberName("confirmed")] Confirmed,
    /// <summary>PTR names exist, but none of them resolves back to the address.</summary>
    [JsonStringEnumMemberName("not-confirmed")] NotConfirmed,
    /// <summary>No PTR record (NXDOMAIN or an empty answer).</summary>
    [JsonStringEnumMemberName("no-name")] NoName,
    /// <summary>DNS did not answer usefully (timeout, SERVFAIL): we cannot tell.</summary>
    [JsonStringEnumMemberName("failed")] Failed,
}

/// <summary>What reverse DNS says about an address.</summary>
/// <param name="Status">confirmed, not-confirmed, no-name or failed.</param>
/// <param name="Name">The first PTR name (in answer order) whose A/AAAA records include the address; null unless confirmed.</param>
/// <param name="PtrNames">Every PTR name returned (at most <see cref="ReverseDnsService.MaxNames"/> are checked).</param>
/// <param name="Error">For status failed, what went wrong.</param>
public sealed record ReverseDnsResult(ReverseDnsStatus Status, string? Name, IReadOnlyList<string> PtrNames, string? Error)
{
    public bool IsForwardConfirmed => Status == ReverseDnsStatus.Confirmed;

    public static ReverseDnsResult Failed(string error) => new(ReverseDnsStatus.Failed, null, [], error);
}

/// <summary>
/// Forward-confirmed reverse DNS (FCrDNS, "iprev" in RFC 8601 section 3): the PTR names of an address, each looked up
/// forward (A for IPv4, AAAA for IPv6), and the first that resolves back to the address. Used by greylisting's
/// whitelists and suspicious mode, and meant for diagnostics too. Never throws for DNS trouble.
/// </summary>
public sealed partial class ReverseDnsService(IDnsQuery dns, ILogger<ReverseDnsService> logger)
{
    /// <summary>At most this many PTR names are checked, as RFC 7208 section 4.6.4 limits the SPF "ptr" mechanism.</summary>
    public const int MaxNames = 10;

    public async Task<ReverseDnsResult> LookupAsync(IPAddress address, CancellationToken cancellationToken)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        IDnsQueryResponse reverse;
        try
        {
            reverse = await dns.QueryReverseAsync(address, cancellationToken);
        }
        catch (DnsResponseException ex)
        {
            Log.LookupFailed(logger, "PTR", ex.Code.ToString());
            return ReverseDnsResult.Failed($"The PTR lookup failed: {ex.DnsError}.");
        }

        var code = reverse.Header.ResponseCode;
        if (code == DnsHeaderResponseCode.NotExistentDomain)
        {
            return new ReverseDnsResult(ReverseDnsStatus.NoName, null, [], null);
        }

        if (code != DnsHeaderResponseCode.NoError)
        {
            return ReverseDnsResult.Failed($"The PTR lookup answered {code}.");
        }

        var names = reverse.Answers.PtrRecords().Select(p => p.PtrDomainName.Value.TrimEnd('.')).Where(n => n.Length > 0).ToList();
        if (names.Count == 0)
        {
            return new ReverseDnsResult(ReverseDnsStatus.NoName, null, [], null);
        }

        var type = address.IsIPv4() ? QueryType.A : QueryType.AAAA;
        var checks = names.Take(MaxNames).Select(name => ResolvesToAsync(name, type, address, cancellationToken)).ToList();
        var results = await Task.WhenAll(checks);
        for (var i = 0; i < results.Length; i++)
        {
            if (results[i] == true)
            {
                return new ReverseDnsResult(ReverseDnsStatus.Confirmed, names[i], names, null);
            }
        }

        // If no name confirmed but a lookup failed, the failed one might have: we cannot tell.
        return results.Any(r => r is null)
            ? new ReverseDnsResult(ReverseDnsStatus.Failed, null, names, "A forward lookup of a PTR name failed.")
            : new ReverseDnsResult(ReverseDnsStatus.NotConfirmed, null, names, null);
    }

    // True if the name's A/AAAA records include the address, false if not, null if DNS failed.
    private async Task<bool?> ResolvesToAsync(string name, QueryType type, IPAddress address, CancellationToken cancellationToken)
    {
        try
        {
            var response = await dns.QueryAsync(new DnsQuestion(name, type), cancellationToken);
            var code = response.Header.ResponseCode;
            if (code != DnsHeaderResponseCode.NoError && code != DnsHeaderResponseCode.NotExistentDomain)
            {
                return null;
            }

            return response.Answers.OfType<AddressRecord>().Any(r => r.Address.Equals(address));
        }
        catch (DnsResponseException ex)
        {
            Log.LookupFailed(logger, type.ToString(), ex.Code.ToString());
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1201, LogLevel.Debug, "Reverse DNS: a {QueryType} lookup failed: {Error}")]
        public static partial void LookupFailed(ILogger logger, string queryType, string error);
    }
}
