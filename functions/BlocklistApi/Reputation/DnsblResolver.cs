using System.Net;
using DnsClient;
using Microsoft.Extensions.Logging;

namespace BlocklistApi.Reputation;

/// <summary>Asks one DNSBL/DNSWL zone about one address (RFC 5782): A for the listing, TXT for the reason.</summary>
public sealed partial class DnsblResolver(IDnsQuery dns, TimeProvider timeProvider, ILogger<DnsblResolver> logger)
{
    /// <summary>Never throws for DNS trouble: a slow zone is <see cref="ZoneStatus.Timeout"/>, a failing one <see cref="ZoneStatus.Error"/>.</summary>
    public async Task<ZoneLookup> LookupAsync(DnsblZone zone, IPAddress address, CancellationToken cancellationToken)
    {
        var name = zone.QueryName(address);
        var options = zone.QueryOptions;
        using var deadline = new CancellationTokenSource(zone.Timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            var response = await dns.QueryAsync(new DnsQuestion(name, QueryType.A), options, linked.Token);
            var lookup = Map(zone, response);
            if (lookup.Listed)
            {
                lookup = lookup with { Reasons = await ReadReasonsAsync(zone, name, options, linked.Token) };
            }

            return lookup;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Log.ZoneTimedOut(logger, zone.Name, zone.Timeout);
            return ZoneLookup.TimedOut(zone.Timeout);
        }
        catch (DnsResponseException ex) when (ex.Code == DnsResponseCode.ConnectionTimeout)
        {
            Log.ZoneTimedOut(logger, zone.Name, zone.Timeout);
            return ZoneLookup.TimedOut(zone.Timeout);
        }
        catch (DnsResponseException ex)
        {
            Log.ZoneFailed(logger, zone.Name, ex.Code.ToString());
            return ZoneLookup.Failed($"The zone's DNS server could not be asked: {ex.DnsError}.");
        }
    }

    /// <summary>Turns the A answer into a result; pure, so the classification rules are unit-tested without DNS.</summary>
    internal static ZoneLookup Map(DnsblZone zone, IDnsQueryResponse response)
    {
        var code = response.Header.ResponseCode;
        if (code == DnsHeaderResponseCode.NotExistentDomain)
        {
            return ZoneLookup.NotListed(NegativeTtl(response));
        }

        if (code != DnsHeaderResponseCode.NoError)
        {
            return ZoneLookup.Failed($"The zone's DNS server answered {code} instead of a listing or NXDOMAIN.");
        }

        var records = response.Answers.ARecords().ToList();
        if (records.Count == 0)
        {
            return ZoneLookup.NotListed(NegativeTtl(response));
        }

        var codes = new List<string>(records.Count);
        var meanings = new List<string>(records.Count);
        var errors = new List<string>();
        foreach (var record in records)
        {
            var classified = ZoneCodeCatalog.Classify(zone.Name, record.Address);
            if (!classified.IsListing)
            {
                errors.Add(classified.Meaning!);
                continue;
            }

            codes.Add(record.Address.ToString());
            if (classified.Meaning is not null)
            {
                meanings.Add(classified.Meaning);
            }
        }

        if (errors.Count > 0)
        {
            return ZoneLookup.Failed(string.Join(" ", errors));
        }

        var ttl = TimeSpan.FromSeconds(records.Min(r => r.TimeToLive));
        return new ZoneLookup(ZoneStatus.Ok, codes, meanings, [], null, ttl);
    }

    private async Task<IReadOnlyList<string>> ReadReasonsAsync(DnsblZone zone, string name, DnsQueryAndServerOptions options, CancellationToken cancellationToken)
    {
        try
        {
            var response = await dns.QueryAsync(new DnsQuestion(name, QueryType.TXT), options, cancellationToken);
            // A TXT record is one or more character-strings (RFC 1035 section 3.3.14); a reason is their concatenation.
            return response.Answers.TxtRecords().Select(t => string.Concat(t.Text)).Where(t => t.Length > 0).ToList();
        }
        catch (Exception ex) when (ex is DnsResponseException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // The listing stands without its reason: the A answer is what decides.
            Log.ReasonUnavailable(logger, zone.Name);
            return [];
        }
    }

    // RFC 2308 section 5: a negative answer may be cached for min(SOA TTL, SOA MINIMUM).
    private static TimeSpan NegativeTtl(IDnsQueryResponse response)
    {
        var soa = response.Authorities.SoaRecords().FirstOrDefault();
        return soa is null ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Min(soa.TimeToLive, (long)soa.Minimum));
    }

    private static partial class Log
    {
        [LoggerMessage(1001, LogLevel.Warning, "DNS zone {Zone} did not answer within {Timeout}")]
        public static partial void ZoneTimedOut(ILogger logger, string zone, TimeSpan timeout);

        [LoggerMessage(1002, LogLevel.Warning, "DNS zone {Zone} failed: {Error}")]
        public static partial void ZoneFailed(ILogger logger, string zone, string error);

        [LoggerMessage(1003, LogLevel.Debug, "DNS zone {Zone} listed the address but its TXT reason could not be read")]
        public static partial void ReasonUnavailable(ILogger logger, string zone);
    }
}

/// <summary>One zone's answer, before it is shaped for the response. <see cref="Ttl"/> is how long it may be cached.</summary>
public sealed record ZoneLookup(
    ZoneStatus Status,
    IReadOnlyList<string> Codes,
    IReadOnlyList<string> Meanings,
    IReadOnlyList<string> Reasons,
    string? Error,
    TimeSpan Ttl)
{
    public bool Listed => Status == ZoneStatus.Ok && Codes.Count > 0;

    public static ZoneLookup NotListed(TimeSpan ttl) => new(ZoneStatus.Ok, [], [], [], null, ttl);

    public static ZoneLookup Failed(string error) => new(ZoneStatus.Error, [], [], [], error, TimeSpan.Zero);

    public static ZoneLookup TimedOut(TimeSpan timeout) =>
        new(ZoneStatus.Timeout, [], [], [], $"No answer within {timeout.TotalSeconds:0.###} s.", TimeSpan.Zero);
}
