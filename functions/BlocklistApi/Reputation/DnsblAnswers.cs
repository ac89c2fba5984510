using BlocklistApi.Dns;
using DnsClient.Protocol;

namespace BlocklistApi.Reputation;

/// <summary>
/// What a DNSBL/DNSWL zone's A answer means (RFC 5782 section 2.3): a listing with its codes and their meanings, not
/// listed (for the negative TTL of RFC 2308), or a zone error. Pure, so the rules are unit-tested without DNS.
/// </summary>
internal static class DnsblAnswers
{
    /// <summary>Turns the A answer into a result.</summary>
    public static ZoneLookup Map(DnsblZone zone, DnsLookup answer)
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
