using BlocklistApi.Client;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Storage;
using BlocklistApi.Testing;
using Microsoft.Extensions.Time.Testing;

namespace BlocklistApi.IntegrationTests.Reputation;

/// <summary>
/// The (zone, address) cache: memory in front of Table Storage, TTLs from the DNS answers clamped to the configured
/// floor and ceiling, moved with a FakeTimeProvider. DNS traffic is counted at the in-process loopback server.
/// </summary>
public abstract class ReputationCacheTests(StorageProvider provider) : IAsyncLifetime
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
    private LoopbackDnsServer _dns = null!;
    private TestStorage _storage = null!;

    public async Task InitializeAsync()
    {
        _storage = await TestStorage.SharedAsync(provider);
        _dns = LoopbackDnsServer.Start();
        foreach (var zone in new[] { "one.test", "two.test" })
        {
            _dns.AddSoa(zone, minimum: 600);
            // 192.0.2.1 listed with a 300 s TTL; 192.0.2.2 not listed (NXDOMAIN, SOA minimum 600 s).
            _dns.AddA($"1.2.0.192.{zone}", "127.0.0.2", ttl: 300);
            _dns.AddTxt($"1.2.0.192.{zone}", "listed for testing");
        }
    }

    public async Task DisposeAsync() => await _dns.DisposeAsync();

    [Fact]
    public async Task Reputation_RepeatedCall_AnsweredFromMemoryWithoutDns()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        await using var app = App();
        var client = app.Client();

        var first = await client.GetReputationAsync("192.0.2.1", cts.Token);
        var queriesAfterFirst = _dns.QueryCount;
        var second = await client.GetReputationAsync("192.0.2.1", cts.Token);

        // Listed in two zones: one A and one TXT query each.
        Assert.Equal(4, queriesAfterFirst);
        Assert.Equal(queriesAfterFirst, _dns.QueryCount);
        Assert.All(first.Listings, l => Assert.Equal(ListingSource.Dns, l.Source));
        Assert.All(second.Listings, l => Assert.Equal(ListingSource.Cache, l.Source));
        Assert.All(second.Listings, l => Assert.Equal(["listed for testing"], l.Reasons));
        Assert.Equal(Verdict.Listed, second.Verdict);
    }

    [Fact]
    public async Task Reputation_NewInstance_AnsweredFromTableCacheWithoutDns()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var prefix = BlocklistApiApp.NewPrefix();
        await using (var first = App(prefix))
        {
            await first.Client().GetReputationAsync("192.0.2.2", cts.Token);
        }

        var queries = _dns.QueryCount;
        await using var second = App(prefix);
        var report = await second.Client().GetReputationAsync("192.0.2.2", cts.Token);

        Assert.Equal(queries, _dns.QueryCount);
        Assert.All(report.Listings, l => Assert.Equal(ListingSource.Cache, l.Source));
        Assert.All(report.Listings, l => Assert.False(l.Listed));
    }

    [Fact]
    public async Task Reputation_AfterTtl_AsksDnsAgain()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        await using var app = App();
        var client = app.Client();

        await client.GetReputationAsync("192.0.2.1", cts.Token);
        _time.Advance(TimeSpan.FromSeconds(299));
        var beforeExpiry = await client.GetReputationAsync("192.0.2.1", cts.Token);
        _time.Advance(TimeSpan.FromSeconds(2));
        var afterExpiry = await client.GetReputationAsync("192.0.2.1", cts.Token);

        Assert.All(beforeExpiry.Listings, l => Assert.Equal(ListingSource.Cache, l.Source));
        Assert.All(afterExpiry.Listings, l => Assert.Equal(ListingSource.Dns, l.Source));
    }

    [Fact]
    public async Task Reputation_NegativeAnswer_CachedForSoaMinimumClampedToCeiling()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        // Ceiling 00:08:00 < SOA minimum 600 s: the negative answer lives 480 s.
        await using var app = App(settings: new() { ["ReputationCache:MaximumTtl"] = "00:08:00" });
        var client = app.Client();

        await client.GetReputationAsync("192.0.2.2", cts.Token);
        _time.Advance(TimeSpan.FromSeconds(479));
        var cached = await client.GetReputationAsync("192.0.2.2", cts.Token);
        _time.Advance(TimeSpan.FromSeconds(2));
        var fresh = await client.GetReputationAsync("192.0.2.2", cts.Token);

        Assert.All(cached.Listings, l => Assert.Equal(ListingSource.Cache, l.Source));
        Assert.All(fresh.Listings, l => Assert.Equal(ListingSource.Dns, l.Source));
    }

    [Fact]
    public async Task Reputation_ShortTtl_KeptForMinimumTtl()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        _dns.AddA("5.2.0.192.one.test", "127.0.0.2", ttl: 5);
        await using var app = App(settings: new() { ["ReputationCache:MinimumTtl"] = "00:02:00", ["Dnsbl:Zones:1:Zone"] = null });
        var client = app.Client();

        await client.GetReputationAsync("192.0.2.5", cts.Token);
        _time.Advance(TimeSpan.FromSeconds(119));
        var cached = await client.GetReputationAsync("192.0.2.5", cts.Token);

        Assert.Equal(ListingSource.Cache, cached.Listings.Single(l => l.Zone == "one.test").Source);
    }

    [Fact]
    public async Task Reputation_CacheDisabled_AsksDnsEveryTime()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        await using var app = App(settings: new() { ["ReputationCache:Enabled"] = "false" });
        var client = app.Client();

        await client.GetReputationAsync("192.0.2.2", cts.Token);
        var queries = _dns.QueryCount;
        var second = await client.GetReputationAsync("192.0.2.2", cts.Token);

        Assert.Equal(queries + 2, _dns.QueryCount);
        Assert.All(second.Listings, l => Assert.Equal(ListingSource.Dns, l.Source));
    }

    [Fact]
    public async Task Reputation_EveryZoneFails_VerdictUnknownAndFailuresCachedForFailureTtl()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        _dns.SetServFail("9.2.0.192.one.test");
        _dns.SetServFail("9.2.0.192.two.test");
        await using var app = App();
        var client = app.Client();

        var first = await client.GetReputationAsync("192.0.2.9", cts.Token);
        var queries = _dns.QueryCount;
        _time.Advance(TimeSpan.FromSeconds(29));
        var cached = await client.GetReputationAsync("192.0.2.9", cts.Token);
        var queriesWhileCached = _dns.QueryCount;
        _time.Advance(TimeSpan.FromSeconds(2));
        var asked = await client.GetReputationAsync("192.0.2.9", cts.Token);

        Assert.Equal(Verdict.Unknown, first.Verdict);
        Assert.All(first.Listings, l => Assert.Equal(ZoneStatus.Error, l.Status));
        Assert.All(first.Listings, l => Assert.Contains("ServerFailure", l.Error));
        // ReputationCache:FailureTtl (30 s): the failed zones are not asked again until it ends.
        Assert.Equal(Verdict.Unknown, cached.Verdict);
        Assert.All(cached.Listings, l => Assert.Equal((ListingSource.Cache, ZoneStatus.Error), (l.Source, l.Status)));
        Assert.All(cached.Listings, l => Assert.Contains("ServerFailure", l.Error));
        Assert.Equal(queries, queriesWhileCached);
        Assert.All(asked.Listings, l => Assert.Equal(ListingSource.Dns, l.Source));
        Assert.Equal(queries + 2, _dns.QueryCount);
    }

    [Fact]
    public async Task Reputation_FailureTtlZero_FailuresNotCached()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        _dns.SetServFail("8.2.0.192.one.test");
        _dns.SetServFail("8.2.0.192.two.test");
        await using var app = App(settings: new() { ["ReputationCache:FailureTtl"] = "00:00:00" });
        var client = app.Client();

        await client.GetReputationAsync("192.0.2.8", cts.Token);
        var queries = _dns.QueryCount;
        var second = await client.GetReputationAsync("192.0.2.8", cts.Token);

        Assert.All(second.Listings, l => Assert.Equal((ListingSource.Dns, ZoneStatus.Error), (l.Source, l.Status)));
        Assert.Equal(queries + 2, _dns.QueryCount);
    }

    private BlocklistApiApp App(string? prefix = null, Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Dns:Servers:0"] = _dns.Server,
            ["Dnsbl:Zones:0:Zone"] = "one.test",
            ["Dnsbl:Zones:1:Zone"] = "two.test",
        };
        foreach (var (key, value) in settings ?? [])
        {
            if (value is null)
            {
                all.Remove(key);
            }
            else
            {
                all[key] = value;
            }
        }

        return new BlocklistApiApp(_storage, all, _time, namePrefix: prefix);
    }
}

public sealed class ReputationCacheAzuriteTests() : ReputationCacheTests(StorageProvider.Azure);

public sealed class ReputationCacheSqliteTests() : ReputationCacheTests(StorageProvider.Sqlite);
