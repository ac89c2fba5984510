using BlocklistApi.Client;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Storage;
using Microsoft.Extensions.Time.Testing;

namespace BlocklistApi.IntegrationTests.Greylist;

/// <summary>Auto-whitelisting after Greylist:AutoWhitelistAfter passes, at most one counted per client per hour.</summary>
public abstract class GreylistAutoWhitelistTests(StorageProvider provider)
{
    private const string Sender = "alice@example.com";

    [Fact]
    public async Task GreylistCheck_ClientPassedFiveTimesHoursApart_IsAutoWhitelisted()
    {
        await using var g = await GreylistHarness.StartAsync(provider, new Dictionary<string, string?> { ["Greylist:Delay"] = "00:01:00" });
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(GreylistReason.New, (await PassAsync(g, GreylistHarness.NewRecipient())).First.Reason);
            g.Advance(TimeSpan.FromHours(1));
        }

        var sameClient = await g.CheckAsync("192.0.2.10", Sender, GreylistHarness.NewRecipient());
        var sameNetworkOtherAddress = await g.CheckAsync("192.0.2.11", Sender, GreylistHarness.NewRecipient());

        Assert.Equal((GreylistAction.Accept, GreylistReason.AutoWhitelisted), (sameClient.Action, sameClient.Reason));
        Assert.Equal(GreylistReason.New, sameNetworkOtherAddress.Reason);
        var stats = await g.Admin.GetGreylistStatsAsync(GreylistHarness.Bounded());
        Assert.Equal(1, stats.AutoWhitelistedClients);
        Assert.Equal(5, stats.Passes);
    }

    // Counts are written behind the answer; a clean shutdown writes what is pending before the host stops.
    [Fact]
    public async Task GreylistCheck_PassThenCleanShutdown_CountIsStoredForTheNextStart()
    {
        var storage = await TestStorage.SharedAsync(provider);
        var prefix = BlocklistApiApp.NewPrefix();
        var time = new FakeTimeProvider(GreylistHarness.Start);
        var settings = new Dictionary<string, string?> { ["Greylist:Delay"] = "00:01:00" };
        var recipient = GreylistHarness.NewRecipient();
        GreylistVerdict passed;
        await using (var first = new BlocklistApiApp(storage, settings, time, namePrefix: prefix))
        {
            var client = first.Client();
            await client.CheckGreylistAsync(new GreylistCheckRequest { ClientAddress = "192.0.2.10", Sender = Sender, Recipient = recipient }, GreylistHarness.Bounded());
            time.Advance(TimeSpan.FromMinutes(1));
            passed = await client.CheckGreylistAsync(new GreylistCheckRequest { ClientAddress = "192.0.2.10", Sender = Sender, Recipient = recipient }, GreylistHarness.Bounded());
        }

        await using var second = new BlocklistApiApp(storage, settings, time, namePrefix: prefix);
        var clients = (await second.Tables.QueryAsync("Greylist", new TableQuery(null), GreylistHarness.Bounded())).Where(r => r.PartitionKey[0] == 'c').ToList();

        Assert.Equal(GreylistReason.Passed, passed.Reason);
        Assert.Equal(1, Assert.Single(clients).GetInt32("Passes"));
    }

    [Fact]
    public async Task GreylistCheck_BurstOfPassesWithinAnHour_CountsOnce()
    {
        await using var g = await GreylistHarness.StartAsync(provider, new Dictionary<string, string?> { ["Greylist:Delay"] = "00:01:00" });
        for (var i = 0; i < 6; i++)
        {
            await PassAsync(g, GreylistHarness.NewRecipient());
        }

        var next = await g.CheckAsync("192.0.2.10", Sender, GreylistHarness.NewRecipient());

        Assert.Equal(GreylistReason.New, next.Reason);
        var client = Assert.Single(await g.RowsAsync('c'));
        Assert.Equal(1, client.GetInt32("Passes"));
    }

    [Fact]
    public async Task GreylistCheck_AutoWhitelistOff_KeepsGreylisting()
    {
        await using var g = await GreylistHarness.StartAsync(provider, new Dictionary<string, string?> { ["Greylist:Delay"] = "00:01:00", ["Greylist:AutoWhitelistAfter"] = "0" });
        for (var i = 0; i < 5; i++)
        {
            await PassAsync(g, GreylistHarness.NewRecipient());
            g.Advance(TimeSpan.FromHours(1));
        }

        var next = await g.CheckAsync("192.0.2.10", Sender, GreylistHarness.NewRecipient());

        Assert.Equal(GreylistReason.New, next.Reason);
        Assert.Empty(await g.RowsAsync('c'));
    }

    private static async Task<(GreylistVerdict First, GreylistVerdict Retry)> PassAsync(GreylistHarness g, string recipient)
    {
        var first = await g.CheckAsync("192.0.2.10", Sender, recipient);
        g.Advance(TimeSpan.FromMinutes(1));
        var retry = await g.CheckAsync("192.0.2.10", Sender, recipient);
        Assert.Equal(GreylistReason.Passed, retry.Reason);
        return (first, retry);
    }
}

public sealed class GreylistAutoWhitelistAzuriteTests() : GreylistAutoWhitelistTests(StorageProvider.Azure);

public sealed class GreylistAutoWhitelistSqliteTests() : GreylistAutoWhitelistTests(StorageProvider.Sqlite);
