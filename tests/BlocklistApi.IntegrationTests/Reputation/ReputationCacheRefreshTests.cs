using BlocklistApi.Client;
using BlocklistApi.IntegrationTests.Infrastructure;
using ReputationCacheKeys = BlocklistApi.Reputation.ReputationCacheKeys;
using BlocklistApi.Storage;
using BlocklistApi.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BlocklistApi.IntegrationTests.Reputation;

/// <summary>
/// The cache refresh timer on real storage, driven by fake time (schedule: every minute; RefreshAhead 2 minutes):
/// answers read during their life are asked again before they expire, answers nobody read expire and are deleted in
/// bounded batches. DNS traffic is counted at the loopback server.
/// </summary>
public sealed class ReputationCacheRefreshTests : IAsyncLifetime
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly TimerClock _clock = new(new DateTimeOffset(2026, 11, 28, 12, 0, 10, TimeSpan.Zero));
    private readonly LoopbackDnsServer _dns = LoopbackDnsServer.Start();
    private AzuriteServer _azurite = null!;

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteServer.Shared;
        _dns.AddSoa("rz.test", minimum: 300);
        _dns.AddA("2.0.0.127.rz.test", "127.0.0.2");
        // 192.0.2.1 (hot) and 192.0.2.2 (cold) are listed for 300 s.
        _dns.AddA("1.2.0.192.rz.test", "127.0.0.2", ttl: 300);
        _dns.AddA("2.2.0.192.rz.test", "127.0.0.2", ttl: 300);
    }

    public async Task DisposeAsync() => await _dns.DisposeAsync();

    [Fact]
    public async Task RefreshAhead_HotEntryKeptCachedWhileColdOneExpiresAndIsPurged()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        await using var app = App();
        var client = app.Client();
        var tables = app.Services.GetRequiredService<ITableStorage>();

        // 12:00:10: both asked (DNS) and cached until 12:05:10; the hot one is read again from the cache.
        await client.GetReputationAsync("192.0.2.1", cts.Token);
        await client.GetReputationAsync("192.0.2.2", cts.Token);
        var readAgain = await client.GetReputationAsync("192.0.2.1", cts.Token);
        var queriesBeforeRefresh = _dns.QueryCount;

        // 12:04: the hot answer expires within RefreshAhead, so this run asks DNS again and stores it until 12:09:00.
        await RunRefreshAsync(tables, At(12, 4, 0), cts.Token);
        var queriesOfRefresh = _dns.QueryCount - queriesBeforeRefresh;
        // 12:05:30: both old lives are over; this run deletes the cold row.
        await RunRefreshAsync(tables, At(12, 5, 30), cts.Token);
        var hotRows = await AnswersAsync(tables, "192.0.2.1", cts.Token);
        var coldRows = await AnswersAsync(tables, "192.0.2.2", cts.Token);
        var queriesBeforeCalls = _dns.QueryCount;
        var hot = await client.GetReputationAsync("192.0.2.1", cts.Token);
        var queriesOfHotCall = _dns.QueryCount - queriesBeforeCalls;
        var cold = await client.GetReputationAsync("192.0.2.2", cts.Token);

        Assert.Equal(ListingSource.Cache, readAgain.Listings.Single().Source);
        // The listed answer again: its A and its TXT reason.
        Assert.Equal(2, queriesOfRefresh);
        Assert.Equal(At(12, 9, 0), Assert.Single(hotRows).GetDateTimeOffset("ExpiresAt"));
        Assert.Empty(coldRows);
        Assert.Equal((ListingSource.Cache, true), (hot.Listings.Single().Source, hot.Listings.Single().Listed));
        Assert.Equal(0, queriesOfHotCall);
        Assert.Equal((ListingSource.Dns, true), (cold.Listings.Single().Source, cold.Listings.Single().Listed));
    }

    [Fact]
    public async Task RefreshAhead_EntryNobodyRead_IsNotAskedAgain()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        await using var app = App();
        var tables = app.Services.GetRequiredService<ITableStorage>();

        await app.Client().GetReputationAsync("192.0.2.2", cts.Token);
        var queries = _dns.QueryCount;
        await RunRefreshAsync(tables, At(12, 4, 0), cts.Token);

        Assert.Equal(queries, _dns.QueryCount);
        Assert.Equal(At(12, 5, 10), Assert.Single(await AnswersAsync(tables, "192.0.2.2", cts.Token)).GetDateTimeOffset("ExpiresAt"));
    }

    [Fact]
    public async Task Purge_ManyExpiredRows_DeletedInBatchesBoundedPerRun()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        // RefreshBatch 1: a run deletes at most 10 rows.
        await using var app = App(new() { ["ReputationCache:RefreshBatch"] = "1" });
        var client = app.Client();
        var tables = app.Services.GetRequiredService<ITableStorage>();
        var addresses = Enumerable.Range(100, 15).Select(i => $"192.0.2.{i}").ToList();
        foreach (var address in addresses)
        {
            // Not listed: cached for the SOA minimum, 300 s.
            await client.GetReputationAsync(address, cts.Token);
        }

        await RunRefreshAsync(tables, At(12, 6, 0), cts.Token);
        var leftAfterFirst = await CountAsync(tables, addresses, cts.Token);
        await RunRefreshAsync(tables, At(12, 7, 0), cts.Token);
        var leftAfterSecond = await CountAsync(tables, addresses, cts.Token);

        Assert.Equal(5, leftAfterFirst);
        Assert.Equal(0, leftAfterSecond);
    }

    private BlocklistApiApp App(Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Dns:Servers:0"] = _dns.Server,
            ["Dnsbl:Zones:0:Zone"] = "rz.test",
            ["ReputationCache:RefreshSchedule"] = "0 * * * * *",
        };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        var app = new BlocklistApiApp(_azurite, all, _clock.Time);
        app.CreateClient().Dispose();
        return app;
    }

    // Moves to the instant (the minute's run, due then, runs at once) and waits until the run has stored its bookkeeping.
    private async Task RunRefreshAsync(ITableStorage tables, DateTimeOffset instant, CancellationToken cancellationToken) =>
        await _clock.AdvanceToAsync(instant, async () =>
            (await tables.GetAsync("ReputationCache", ReputationCacheKeys.MetaPartition, ReputationCacheKeys.RefreshRow, cancellationToken))
                ?.GetDateTimeOffset("LastRunAt") == instant,
            cancellationToken);

    private static Task<IReadOnlyList<TableRow>> AnswersAsync(ITableStorage tables, string ip, CancellationToken cancellationToken) =>
        tables.QueryAsync("ReputationCache", ReputationCacheKeys.AnswersOf(ip), cancellationToken);

    private static async Task<int> CountAsync(ITableStorage tables, IEnumerable<string> addresses, CancellationToken cancellationToken)
    {
        var count = 0;
        foreach (var address in addresses)
        {
            count += (await AnswersAsync(tables, address, cancellationToken)).Count;
        }

        return count;
    }

    private static DateTimeOffset At(int hour, int minute, int second) => new(2026, 11, 28, hour, minute, second, TimeSpan.Zero);
}
