using BlocklistApi.Client;
using BlocklistApi.Storage;

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
