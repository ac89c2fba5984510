using BlocklistApi.Dns;
using BlocklistApi.Reputation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Tests.Reputation;

public sealed class DnsblStartupReportTests
{
    [Fact]
    public async Task Start_NoZones_WarnsNamingTheSetting()
    {
        var logger = new FakeLogger<DnsblStartupReport>();

        await new DnsblStartupReport(Zones(), logger).StartAsync(CancellationToken.None);

        var record = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Warning, record.Level);
        Assert.Contains("Dnsbl__Zones__0__Zone", record.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_Zones_NamesThemWithoutAccessKeys()
    {
        var logger = new FakeLogger<DnsblStartupReport>();
        var zones = Zones(
            new DnsblZoneOptions { Zone = "SECRETKEY123.zen.dq.spamhaus.net", Weight = 2 },
            new DnsblZoneOptions { Zone = "list.dnswl.org", Kind = ZoneKind.Allow });

        await new DnsblStartupReport(zones, logger).StartAsync(CancellationToken.None);

        var record = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Information, record.Level);
        Assert.Equal("Reputation asks 2 DNSBL zones: zen.dq.spamhaus.net (block, weight 2), list.dnswl.org (allow, weight 1)", record.Message);
        Assert.DoesNotContain("SECRETKEY123", record.Message, StringComparison.OrdinalIgnoreCase);
    }

    private static DnsblZones Zones(params DnsblZoneOptions[] zones) =>
        new(Options.Create(new DnsblOptions { Zones = [.. zones] }), Options.Create(new DnsOptions()));
}
