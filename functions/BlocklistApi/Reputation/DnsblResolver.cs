using System.Net;
using BlocklistApi.Dns;
using DnsClient;
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
        var lookup = DnsblAnswers.Map(zone, answer);
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
