using System.Net;
using BlocklistApi.Dns;
using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Logging;

namespace BlocklistApi.Reputation;

/// <summary>Asks one DNSBL/DNSWL zone about one address (RFC 5782): A for the listing, TXT for the reason.</summary>
public sealed partial class DnsblResolver(DnsLookupService dns, TimeProvider timeProvider, ILogger<DnsblResolver> logger)
{
    /// <summary>
    /// Never throws for DNS trouble: a slow zone is <see cref="ZoneStatus.Timeout"/>, a failing one <see cref="ZoneStatus.Error"/>.
    /// The A and TXT queries share the zone's one timeout.
    /// </summary>
    public async Task<ZoneLookup> LookupAsync(DnsblZone zone, IPAddress address, CancellationToken cancellationToken)
    {
        var name = zone.QueryName(address);
        var started = timeProvider.GetTimestamp();
        var answer = await dns.LookupAsync(name, QueryType.A, zone.LookupOptions, cancellationToken);
        var lookup = Map(zone, answer);
        if (lookup.Status == ZoneStatus.Timeout)
        {
            Log.ZoneTimedOut(logger, zone.Name, zone.Timeout);
        }
        else if (lookup.Status == ZoneStatus.Error)
        {
            Log.ZoneFailed(logger, zone.Name, lookup.Error!);
        }
        else if (lookup.Listed)
        {
            lookup = lookup with { Reasons = await ReadReasonsAsync(zone, name, zone.Timeout - timeProvider.GetElapsedTime(started), cancellationToken) };
        }

        return lookup;
    }

    /// <summary>Turns the A answer into a result; pure, so the classification rules are unit-tested without DNS.</summary>
    internal static ZoneLookup Map(DnsblZone zone, DnsLookup answer)
    {
        switch (answer.Status)
        {
            case DnsLookupStatus.NxDomain or DnsLookupStatus.NoData:
                return ZoneLookup.NotListed(answer.NegativeTtl);
            case DnsLookupStatus.Timeout:
                return ZoneLookup.TimedOut(zone.Timeout);
            case DnsLookupStatus.ServerFailure when answer.ResponseCode is { } code:
                return ZoneLookup.Failed($"The zone's DNS server answered {code} instead of a listing or NXDOMAIN.");
            case DnsLookupStatus.ServerFailure:
                return ZoneLookup.Failed($"The zone's DNS server could not be asked: {answer.Error}");
            case not DnsLookupStatus.Found:
                return ZoneLookup.Failed($"The zone's answer could not be used: {answer.Error}");
        }

        var records = answer.Records.OfType<ARecord>().ToList();
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

    private async Task<IReadOnlyList<string>> ReadReasonsAsync(DnsblZone zone, string name, TimeSpan remaining, CancellationToken cancellationToken)
    {
        if (remaining <= TimeSpan.Zero)
        {
            Log.ReasonUnavailable(logger, zone.Name);
            return [];
        }

        var answer = await dns.LookupAsync(name, QueryType.TXT, zone.ReasonLookupOptions(remaining), cancellationToken);
        if (answer.IsFailure)
        {
            // The listing stands without its reason: the A answer is what decides.
            Log.ReasonUnavailable(logger, zone.Name);
        }

        return answer.Texts.Where(t => t.Length > 0).ToList();
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
