using BlocklistApi.Storage;
namespace BlocklistApi.IntegrationTests.Greylist;

/// <summary>GET /v1/greylist/stats and the purge timer (driven by the self-host's timer pump on fake time).</summary>
public abstract class GreylistStatsAndPurgeTests(StorageProvider provider)
{
    private const string Sender = "alice@example.com";

    [Fact]
    public async Task GreylistStats_AfterChecks_CountsTripletsDeferralsPassesAndReasons()
    {
        await using var g = await GreylistHarness.StartAsync(provider, new Dictionary<string, string?> { ["Greylist:Delay"] = "00:01:00" });
        var first = GreylistHarness.NewRecipient();
        await g.CheckAsync("192.0.2.10", Sender, first);
        await g.CheckAsync("192.0.2.10", Sender, GreylistHarness.NewRecipient());
        g.Advance(TimeSpan.FromSeconds(10));
        await g.CheckAsync("192.0.2.10", Sender, first);
        g.Advance(TimeSpan.FromMinutes(1));
        await g.CheckAsync("192.0.2.10", Sender, first);
        g.Advance(TimeSpan.FromSeconds(5));
        await g.CheckAsync("192.0.2.10", Sender, first);
        await g.CheckAsync("192.0.2.10", Sender, "postmaster@example.net");

        var stats = await g.Admin.GetGreylistStatsAsync(GreylistHarness.Bounded());

        Assert.Equal(2, stats.Triplets);
        Assert.Equal(3, stats.Deferrals);
        Assert.Equal(1, stats.Passes);
        Assert.Equal(0, stats.AutoWhitelistedClients);
        Assert.Equal(2, stats.Checks.New);
        Assert.Equal(1, stats.Checks.TooEarly);
        Assert.Equal(1, stats.Checks.Passed);
        Assert.Equal(1, stats.Checks.Known);
        Assert.Equal(1, stats.Checks.Whitelisted);
        Assert.Equal(0, stats.DegradedAnswers);
        Assert.NotNull(stats.Since);
    }

    [Fact]
    public async Task GreylistPurgeTimer_DeletesExpiredPendingThenStaleKnownTripletsAndClients()
    {
        await using var g = await GreylistHarness.StartAsync(provider, new Dictionary<string, string?> { ["Greylist:Delay"] = "00:01:00" });
        var known = GreylistHarness.NewRecipient();
        var knownKeys = GreylistHarness.KeysFor("192.0.2.10", 24, Sender, known);
        var pendingKeys = GreylistHarness.KeysFor("192.0.2.10", 24, Sender, "never-retried@example.net");
        await g.CheckAsync("192.0.2.10", Sender, known);
        await g.CheckAsync("192.0.2.10", Sender, "never-retried@example.net");
        g.Advance(TimeSpan.FromMinutes(1));
        await g.CheckAsync("192.0.2.10", Sender, known);

        // The default schedule (appsettings.json) runs at 03:30 UTC; three days on, the pending triplet is past the retry window.
        g.Advance(TimeSpan.FromDays(3));
        await WaitUntilAsync(async () => !await ExistsAsync(g, pendingKeys));
        Assert.True(await ExistsAsync(g, knownKeys));
        Assert.Single(await g.RowsAsync('c'));

        // A run still finishing when time jumps schedules its next run from the new time: nudge a day on if needed.
        g.Advance(TimeSpan.FromDays(36));
        await WaitUntilAsync(async () => !await ExistsAsync(g, knownKeys) && (await g.RowsAsync('c')).Count == 0, () => g.Advance(TimeSpan.FromDays(1)));

        // The run counts its deletions when it has visited every partition.
        await WaitUntilAsync(async () => (await g.Admin.GetGreylistStatsAsync(GreylistHarness.Bounded())).PurgedTriplets == 2);
        var stats = await g.Admin.GetGreylistStatsAsync(GreylistHarness.Bounded());
        Assert.Equal(0, stats.Triplets);
        Assert.NotNull(stats.LastPurgeAt);
    }

    private static async Task<bool> ExistsAsync(GreylistHarness g, BlocklistApi.Greylist.TripletKeys keys) =>
        await g.RowAsync(keys.PartitionKey, keys.RowKey) is not null;

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Action? nudge = null)
    {
        using var timeout = new CancellationTokenSource(GreylistHarness.Timeout);
        for (var polls = 1; !await condition(); polls++)
        {
            await Task.Delay(100, timeout.Token);
            if (polls % 30 == 0)
            {
                nudge?.Invoke();
            }
        }
    }
}

public sealed class GreylistStatsAndPurgeAzuriteTests() : GreylistStatsAndPurgeTests(StorageProvider.Azure);

public sealed class GreylistStatsAndPurgeSqliteTests() : GreylistStatsAndPurgeTests(StorageProvider.Sqlite);
