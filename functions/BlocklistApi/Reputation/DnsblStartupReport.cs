using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BlocklistApi.Reputation;

/// <summary>
/// Says at start which zones reputation answers come from. An operator who forgot Dnsbl__Zones learns it from the
/// log instead of from a "clean" verdict for a listed sender.
/// </summary>
internal sealed partial class DnsblStartupReport(DnsblZones zones, ILogger<DnsblStartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (zones.All.Count == 0)
        {
            Log.NoZones(logger);
        }
        else
        {
            Log.Zones(logger, zones.All.Count, string.Join(", ", zones.All.Select(z => $"{z.Name} ({z.Kind.ToString().ToLowerInvariant()}, weight {z.Weight})")));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(1004, LogLevel.Warning, "No DNSBL zones are configured (set Dnsbl__Zones__0__Zone, e.g. zen.spamhaus.org): reputation verdicts come from the hosted block and allow lists only, and greylisting cannot use allow zones or listing scores")]
        public static partial void NoZones(ILogger logger);

        [LoggerMessage(1005, LogLevel.Information, "Reputation asks {ZoneCount} DNSBL zones: {Zones}")]
        public static partial void Zones(ILogger logger, int zoneCount, string zones);
    }
}
