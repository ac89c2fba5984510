using BlocklistApi.Client;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ZoneStateStore = BlocklistApi.Zones.ZoneStateStore;

namespace BlocklistApi.IntegrationTests.Zones;

/// <summary>
/// Zone health on real storage and real DNS servers, its timer driven by fake time: rbldnsd serves a healthy zone,
/// in-process loopback servers serve zones that break on cue (a wildcard that lists 127.0.0.1, an error code,
/// silence) and heal again. The health schedule is the default, every two minutes; the clock starts at 12:00:30.
/// </summary>
public sealed class ZoneHealthTests : IAsyncLifetime
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(90);
    private static readonly DateTimeOffset s_start = new(2026, 11, 28, 12, 0, 30, TimeSpan.Zero);

    private static readonly RbldnsdZone s_good = new("good.test", "ip4set", """
        $SOA 300 ns.zones.test hostmaster.zones.test 1 3600 600 86400 120
        :127.0.0.2:Listed by good.test
        127.0.0.2
        192.0.2.20
        """);

    private readonly TimerClock _clock = new(s_start);
    private readonly LoopbackDnsServer _wild = Zone("wild.test");
    private readonly LoopbackDnsServer _coded = Zone("coded.test");
    private readonly LoopbackDnsServer _silent = Zone("silent.test");
    private readonly List<BlocklistApiApp> _apps = [];
    private RbldnsdServer? _rbldnsd;
    private AzuriteServer _azurite = null!;

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteServer.Shared;
        if (RbldnsdServer.Unavailable is null)
        {
            _rbldnsd = await RbldnsdServer.StartAsync(s_good);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }

        foreach (var dns in new[] { _wild, _coded, _silent })
        {
            await dns.DisposeAsync();
        }

        if (_rbldnsd is not null)
        {
            await _rbldnsd.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task ZoneHealth_HealthyZone_StaysEnabledWithItsProbesRecorded()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var (app, _) = Start();
        var admin = app.AdminClient();

        await RunHealthAsync(admin, At(12, 2), cts.Token);
        await RunHealthAsync(admin, At(12, 4), cts.Token);

        var good = await ZoneAsync(admin, "good.test", cts.Token);
        Assert.Equal(ZoneState.Enabled, good.State);
        Assert.Null(good.Reason);
        Assert.True(good.LastProbe!.Passed);
        Assert.Equal(At(12, 4), good.LastProbe.At);
        // rbldnsd answers IPv4-mapped IPv6 queries from its IPv4 data, so this zone passes the IPv6 test points too.
        Assert.Equal(["127.0.0.2", "127.0.0.2"], good.LastProbe.Codes);
        Assert.Equal("127.0.0.2 listed (127.0.0.2), 127.0.0.1 not listed; ::FFFF:7F00:2 listed (127.0.0.2), ::FFFF:7F00:1 not listed", good.LastProbe.Detail);
        Assert.Equal(ZoneKind.Block, good.Kind);
    }

    [SkippableFact]
    public async Task ZoneHealth_ZoneStartsListing127001_DisabledAndItsListingsStopCounting_ThenEnabledWhenFixed()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var (app, logs) = Start();
        var client = app.Client();
        var admin = app.AdminClient();

        // The zone turns into a wildcard: it lists every address, 127.0.0.1 included.
        _wild.AddA("*.wild.test", "127.0.0.2");
        var beforeProbes = await client.GetReputationAsync("192.0.2.51", cts.Token);
        await RunHealthAsync(admin, At(12, 2), cts.Token);
        var degraded = await ZoneAsync(admin, "wild.test", cts.Token);
        await RunHealthAsync(admin, At(12, 4), cts.Token);
        await RunHealthAsync(admin, At(12, 6), cts.Token);
        var disabled = await ZoneAsync(admin, "wild.test", cts.Token);
        var queries = _wild.QueryCount;
        var cachedListing = await client.GetReputationAsync("192.0.2.51", cts.Token);
        var newAddress = await client.GetReputationAsync("192.0.2.52", cts.Token);
        var queriesWhileDisabled = _wild.QueryCount - queries;

        _wild.Remove("*.wild.test");
        await RunHealthAsync(admin, At(12, 8), cts.Token);
        var afterOneGoodProbe = await ZoneAsync(admin, "wild.test", cts.Token);
        await RunHealthAsync(admin, At(12, 10), cts.Token);
        var enabled = await ZoneAsync(admin, "wild.test", cts.Token);
        var afterRecovery = await client.GetReputationAsync("192.0.2.53", cts.Token);

        Assert.Equal((Verdict.Listed, true), (beforeProbes.Verdict, Listing(beforeProbes, "wild.test").Listed));
        Assert.Equal(ZoneState.Degraded, degraded.State);
        Assert.Equal(At(12, 2), degraded.StateSince);
        Assert.StartsWith("It lists 127.0.0.1 (127.0.0.2), which no zone may list", degraded.Reason, StringComparison.Ordinal);
        Assert.Equal(ZoneState.Disabled, disabled.State);
        Assert.Equal(At(12, 6), disabled.StateSince);
        Assert.StartsWith("3 bad results in a row, the last: It lists 127.0.0.1", disabled.Reason, StringComparison.Ordinal);
        // Disabled: not asked (not even for an address it had listed, whose answer is cached), never counted.
        foreach (var report in new[] { cachedListing, newAddress })
        {
            Assert.Equal(Verdict.Clean, report.Verdict);
            Assert.Equal(0, report.Score);
            var wild = Listing(report, "wild.test");
            Assert.Equal((ZoneStatus.Disabled, false), (wild.Status, wild.Listed));
            Assert.Contains("zone health disabled this zone at 2026-11-28 12:06:00 UTC", wild.Error, StringComparison.Ordinal);
        }

        Assert.Equal(0, queriesWhileDisabled);
        Assert.Equal(ZoneState.Disabled, afterOneGoodProbe.State);
        Assert.Equal(ZoneState.Enabled, enabled.State);
        Assert.Equal(At(12, 10), enabled.StateSince);
        Assert.StartsWith("2 good probes in a row: 127.0.0.2 listed", enabled.Reason, StringComparison.Ordinal);
        Assert.Equal((ZoneStatus.Ok, false), (Listing(afterRecovery, "wild.test").Status, Listing(afterRecovery, "wild.test").Listed));
        Assert.Equal(
            ["DNS zone wild.test is now Degraded (was Enabled)", "DNS zone wild.test is now Disabled (was Degraded)", "DNS zone wild.test is now Enabled (was Disabled)"],
            logs.GetSnapshot().Where(r => r.Level == LogLevel.Warning && r.Message.StartsWith("DNS zone wild.test is now", StringComparison.Ordinal))
                .Select(r => r.Message[..r.Message.IndexOf(')', StringComparison.Ordinal)] + ")"));
    }

    [SkippableFact]
    public async Task ZoneHealth_ErrorCodeZoneAndSilentZone_DisabledAndCallsStopWaitingOnTheSilentOne_ThenRecover()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var (app, _) = Start();
        var client = app.Client();
        var admin = app.AdminClient();

        // coded.test answers its test point with an error code; silent.test stops answering at all.
        _coded.Remove("2.0.0.127.coded.test");
        _coded.AddA("2.0.0.127.coded.test", "127.255.255.254");
        _silent.SetTimeout("*.silent.test");
        foreach (var minute in new[] { 2, 4, 6 })
        {
            await RunHealthAsync(admin, At(12, minute), cts.Token);
        }

        var coded = await ZoneAsync(admin, "coded.test", cts.Token);
        var silent = await ZoneAsync(admin, "silent.test", cts.Token);
        var silentQueries = _silent.QueryCount;
        var whileDisabled = await client.GetReputationAsync("192.0.2.20", cts.Token);
        var silentQueriesOfTheCall = _silent.QueryCount - silentQueries;

        _coded.Remove("2.0.0.127.coded.test");
        _coded.AddA("2.0.0.127.coded.test", "127.0.0.2");
        _silent.Heal("*.silent.test");
        await RunHealthAsync(admin, At(12, 8), cts.Token);
        await RunHealthAsync(admin, At(12, 10), cts.Token);
        var recovered = await admin.GetZonesAsync(cts.Token);
        var afterRecovery = await client.GetReputationAsync("192.0.2.21", cts.Token);

        Assert.Equal(ZoneState.Disabled, coded.State);
        Assert.Contains("127.0.0.2: 127.255.255.254 is in 127.255.255.0/24", coded.Reason, StringComparison.Ordinal);
        Assert.Equal(ZoneState.Disabled, silent.State);
        Assert.Contains("127.0.0.2: No answer within 0.5 s.", silent.Reason, StringComparison.Ordinal);
        Assert.Equal(0, silentQueriesOfTheCall);
        Assert.Equal(ZoneStatus.Disabled, Listing(whileDisabled, "silent.test").Status);
        Assert.Equal(ZoneStatus.Disabled, Listing(whileDisabled, "coded.test").Status);
        Assert.Equal(Verdict.Listed, whileDisabled.Verdict);
        Assert.Equal(1, whileDisabled.Score);
        Assert.All(recovered.Zones, z => Assert.Equal(ZoneState.Enabled, z.State));
        Assert.All(afterRecovery.Listings, l => Assert.Equal(ZoneStatus.Ok, l.Status));
    }

    [SkippableFact]
    public async Task ZoneHealth_BadAnswersOfRealQueries_DisableTheZoneBetweenProbes()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var (app, _) = Start();
        var client = app.Client();
        var store = app.Services.GetRequiredService<ZoneStateStore>();
        _silent.SetTimeout("*.silent.test");

        // One bad answer counts per ZoneHealth:RefreshInterval (5 s); three in a row disable the zone, all before
        // the first probe at 12:02.
        for (var i = 1; i <= 3; i++)
        {
            var report = await client.GetReputationAsync($"192.0.2.{60 + i}", cts.Token);
            Assert.Equal(ZoneStatus.Timeout, Listing(report, "silent.test").Status);
            await TimerClock.WaitUntilAsync(async () => (await store.GetAsync("silent.test", cts.Token))?.Failures == i, cts.Token);
            _clock.Time.Advance(TimeSpan.FromSeconds(5));
        }

        var stored = await store.GetAsync("silent.test", cts.Token);
        var queries = _silent.QueryCount;
        var afterwards = await client.GetReputationAsync("192.0.2.70", cts.Token);

        Assert.Equal(BlocklistApi.Zones.ZoneState.Disabled, stored!.State);
        Assert.Equal("3 bad results in a row, the last: A real query got a bad answer: No answer within 0.5 s.", stored.Reason);
        Assert.Null(stored.LastProbe);
        Assert.Equal(ZoneStatus.Disabled, Listing(afterwards, "silent.test").Status);
        Assert.Equal(queries, _silent.QueryCount);
    }

    [SkippableFact]
    public async Task ZoneStates_TwoInstancesOnOneStore_TheOtherInstanceStopsAskingADisabledZone()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var prefix = BlocklistApiApp.NewPrefix();
        var (prober, _) = Start(prefix: prefix);
        // This one never probes: it learns the zone's state from storage.
        var (other, _) = Start(prefix: prefix, settings: new() { ["ZoneHealth:Schedule"] = BlocklistApiApp.NeverInTests });
        var otherClient = other.Client();
        var before = await otherClient.GetReputationAsync("192.0.2.80", cts.Token);

        _wild.AddA("*.wild.test", "127.0.0.2");
        foreach (var minute in new[] { 2, 4, 6 })
        {
            await RunHealthAsync(prober.AdminClient(), At(12, minute), cts.Token);
        }

        // Within ZoneHealth:RefreshInterval of fake time the other instance re-reads the states.
        _clock.Time.Advance(TimeSpan.FromSeconds(5));
        var queries = _wild.QueryCount;
        ReputationReport? after = null;
        await TimerClock.WaitUntilAsync(async () =>
        {
            after = await otherClient.GetReputationAsync("192.0.2.81", cts.Token);
            return Listing(after, "wild.test").Status == ZoneStatus.Disabled;
        }, cts.Token);
        var queriesOnceDisabled = _wild.QueryCount;
        await otherClient.GetReputationAsync("192.0.2.82", cts.Token);

        Assert.Equal(ZoneStatus.Ok, Listing(before, "wild.test").Status);
        Assert.Equal(Verdict.Clean, after!.Verdict);
        Assert.True(queriesOnceDisabled - queries <= 2, $"{queriesOnceDisabled - queries} queries before the state arrived");
        Assert.Equal(queriesOnceDisabled, _wild.QueryCount);
    }

    [SkippableFact]
    public async Task TimerRuns_TwoSelfHostsOnOneStore_OneRunPerOccurrence()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var prefix = BlocklistApiApp.NewPrefix();
        var zoneOnly = new Dictionary<string, string?>
        {
            ["Dnsbl:Zones:0:Zone"] = "wild.test",
            ["Dnsbl:Zones:0:Servers:0"] = _wild.Server,
            ["Dnsbl:Zones:1:Zone"] = null,
            ["Dnsbl:Zones:2:Zone"] = null,
            ["Dnsbl:Zones:3:Zone"] = null,
        };
        var (first, firstLogs) = Start(prefix: prefix, settings: zoneOnly);
        var (second, secondLogs) = Start(prefix: prefix, settings: zoneOnly);
        int Skipped() => new[] { firstLogs, secondLogs }.Sum(logs => logs.GetSnapshot().Count(r => r.Message.StartsWith("Timer CheckZoneHealth: another instance holds its lease", StringComparison.Ordinal)));

        await _clock.AdvanceToAsync(At(12, 2), async () => Skipped() == 1 && await ProbedAtAsync(first.AdminClient(), "wild.test", At(12, 2), cts.Token), cts.Token);
        var queriesOfOneRun = _wild.QueryCount;
        await _clock.AdvanceToAsync(At(12, 4), async () => Skipped() == 2 && await ProbedAtAsync(second.AdminClient(), "wild.test", At(12, 4), cts.Token), cts.Token);

        // One probe is four queries (127.0.0.2, 127.0.0.1, ::FFFF:7F00:2, ::FFFF:7F00:1).
        Assert.Equal(4, queriesOfOneRun);
        Assert.Equal(8, _wild.QueryCount);
    }

    private (BlocklistApiApp App, FakeLogCollector Logs) Start(string? prefix = null, Dictionary<string, string?>? settings = null)
    {
        var skip = Peers.SkipReason(RbldnsdServer.Unavailable);
        Skip.If(skip is not null, skip);
        var logs = new FakeLogCollector();
        var all = new Dictionary<string, string?>
        {
            ["Dns:Servers:0"] = _rbldnsd!.Server,
            ["Dnsbl:Zones:0:Zone"] = "good.test",
            ["Dnsbl:Zones:1:Zone"] = "wild.test",
            ["Dnsbl:Zones:1:Servers:0"] = _wild.Server,
            ["Dnsbl:Zones:2:Zone"] = "coded.test",
            ["Dnsbl:Zones:2:Servers:0"] = _coded.Server,
            ["Dnsbl:Zones:3:Zone"] = "silent.test",
            ["Dnsbl:Zones:3:Servers:0"] = _silent.Server,
            ["Dnsbl:Zones:3:Timeout"] = "00:00:00.500",
            ["ZoneHealth:Schedule"] = "0 */2 * * * *",
            ["Logging:LogLevel:BlocklistApi.Hosting.TimerRuns"] = "Information",
        };
        foreach (var (key, value) in settings ?? [])
        {
            if (value is null)
            {
                foreach (var field in all.Keys.Where(k => k.StartsWith(key[..^"Zone".Length], StringComparison.Ordinal)).ToList())
                {
                    all.Remove(field);
                }
            }
            else
            {
                all[key] = value;
            }
        }

        var app = new BlocklistApiApp(_azurite, all, _clock.Time, services => services.AddLogging(b => b.AddProvider(new FakeLoggerProvider(logs))), prefix);
        _apps.Add(app);
        app.CreateClient().Dispose();
        return (app, logs);
    }

    // Moves to the occurrence and waits until every zone's probe of that run is stored.
    private async Task RunHealthAsync(BlocklistApiClient admin, DateTimeOffset occurrence, CancellationToken cancellationToken) =>
        await _clock.AdvanceToAsync(occurrence, async () =>
            (await admin.GetZonesAsync(cancellationToken)).Zones.All(z => z.LastProbe?.At == occurrence), cancellationToken);

    private static async Task<bool> ProbedAtAsync(BlocklistApiClient admin, string zone, DateTimeOffset at, CancellationToken cancellationToken) =>
        (await ZoneAsync(admin, zone, cancellationToken)).LastProbe?.At == at;

    private static async Task<ZoneReport> ZoneAsync(BlocklistApiClient admin, string zone, CancellationToken cancellationToken) =>
        (await admin.GetZonesAsync(cancellationToken)).Zones.Single(z => z.Name == zone);

    private static ZoneListing Listing(ReputationReport report, string zone) => report.Listings.Single(l => l.Zone == zone);

    private static DateTimeOffset At(int hour, int minute) => new(2026, 11, 28, hour, minute, 0, TimeSpan.Zero);

    // A healthy scripted zone: its RFC 5782 test point listed, NXDOMAIN (with an SOA) for everything else.
    private static LoopbackDnsServer Zone(string name)
    {
        var dns = LoopbackDnsServer.Start();
        dns.AddSoa(name);
        dns.AddA($"2.0.0.127.{name}", "127.0.0.2");
        return dns;
    }
}
