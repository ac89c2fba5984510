using System.Collections.Concurrent;
using System.Net;
using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Logging;

namespace BlocklistApi.Diagnostics;

/// <summary>How a lookup came out.</summary>
public enum LookupStatus
{
    /// <summary>Records of the asked type came back.</summary>
    Found,
    /// <summary>The name exists but has no record of that type (NODATA).</summary>
    NoRecords,
    /// <summary>The name does not exist (NXDOMAIN).</summary>
    NoSuchName,
    /// <summary>No answer within Dns:Timeout.</summary>
    Timeout,
    /// <summary>SERVFAIL, REFUSED, an unreadable answer, or a name DNS cannot carry.</summary>
    Failed,
}

/// <summary>One DNS answer as the checks need it.</summary>
/// <param name="Name">The name asked for.</param>
/// <param name="Type">The type asked for.</param>
/// <param name="Status">What came back.</param>
/// <param name="Records">The answer records of the asked type (CNAMEs followed by the resolver are left out).</param>
/// <param name="ZoneApex">For NODATA and NXDOMAIN, the zone the SOA in the authority section names, if any.</param>
/// <param name="Error">For Timeout and Failed, what went wrong.</param>
public sealed record DnsLookup(string Name, QueryType Type, LookupStatus Status, IReadOnlyList<DnsResourceRecord> Records, string? ZoneApex, string? Error)
{
    public bool IsFailure => Status is LookupStatus.Timeout or LookupStatus.Failed;

    /// <summary>The lowest TTL of the records (the TTL the resolver received, not what is left of it in a cache).</summary>
    public int? Ttl => Records.Count == 0 ? null : Records.Min(r => r.InitialTimeToLive);

    public IReadOnlyList<IPAddress> Addresses => Records.OfType<AddressRecord>().Select(r => r.Address).ToList();
}

/// <summary>
/// The DNS lookups of one diagnostics report: each (name, type) is asked once however many checks need it (the mx,
/// same-ip and ttl checks share the MX answer, for example), and trouble is a <see cref="LookupStatus"/>, never an exception.
/// </summary>
internal sealed partial class DnsLookups(IDnsQuery dns, ILogger logger)
{
    private readonly ConcurrentDictionary<(string Name, QueryType Type), Task<DnsLookup>> _lookups = new();

    public Task<DnsLookup> QueryAsync(string name, QueryType type, CancellationToken cancellationToken) =>
        _lookups.GetOrAdd((name.TrimEnd('.').ToLowerInvariant(), type), key => LookupAsync(key.Name, key.Type, cancellationToken));

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
        if (own.Status == LookupStatus.Found || own.IsFailure)
        {
            return own;
        }

        return own.ZoneApex is { } apex && !apex.Equals(own.Name, StringComparison.OrdinalIgnoreCase)
            ? await QueryAsync(apex, QueryType.NS, cancellationToken)
            : null;
    }

    private async Task<DnsLookup> LookupAsync(string name, QueryType type, CancellationToken cancellationToken)
    {
        DnsQuestion question;
        try
        {
            question = new DnsQuestion(name, type);
        }
        catch (ArgumentException)
        {
            return new DnsLookup(name, type, LookupStatus.Failed, [], null, $"'{name}' is not a name DNS can look up.");
        }

        try
        {
            var response = await dns.QueryAsync(question, cancellationToken);
            var code = response.Header.ResponseCode;
            var apex = response.Authorities.SoaRecords().FirstOrDefault()?.DomainName.Value.TrimEnd('.');
            if (code == DnsHeaderResponseCode.NotExistentDomain)
            {
                return new DnsLookup(name, type, LookupStatus.NoSuchName, [], apex, null);
            }

            if (code != DnsHeaderResponseCode.NoError)
            {
                Log.LookupFailed(logger, name, type, code.ToString());
                return new DnsLookup(name, type, LookupStatus.Failed, [], null, $"The DNS server answered {code} for {name} {type}.");
            }

            var records = response.Answers.Where(r => r.RecordType == (ResourceRecordType)type).ToList();
            return records.Count > 0
                ? new DnsLookup(name, type, LookupStatus.Found, records, null, null)
                : new DnsLookup(name, type, LookupStatus.NoRecords, [], apex, null);
        }
        catch (DnsResponseException ex) when (ex.Code == DnsResponseCode.ConnectionTimeout)
        {
            Log.LookupFailed(logger, name, type, "timeout");
            return new DnsLookup(name, type, LookupStatus.Timeout, [], null, $"The DNS lookup of {name} {type} timed out.");
        }
        catch (DnsResponseException ex)
        {
            Log.LookupFailed(logger, name, type, ex.Code.ToString());
            return new DnsLookup(name, type, LookupStatus.Failed, [], null, $"The DNS lookup of {name} {type} failed ({ex.DnsError}).");
        }
        catch (DnsResponseParseException ex)
        {
            Log.LookupFailed(logger, name, type, ex.Message);
            return new DnsLookup(name, type, LookupStatus.Failed, [], null, $"The DNS answer for {name} {type} could not be read.");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(4201, LogLevel.Debug, "Diagnostics: DNS {Type} lookup of {Name} failed: {Error}")]
        public static partial void LookupFailed(ILogger logger, string name, QueryType type, string error);
    }
}
