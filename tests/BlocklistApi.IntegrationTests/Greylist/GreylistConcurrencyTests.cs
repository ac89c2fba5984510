using BlocklistApi.Client;
using BlocklistApi.Storage;

namespace BlocklistApi.IntegrationTests.Greylist;

/// <summary>Several MX hosts checking the same triplet at the same moment: one record, agreeing answers (ETags).</summary>
public abstract class GreylistConcurrencyTests(StorageProvider provider)
{
    private const string Sender = "alice@example.com";

    [Fact]
    public async Task GreylistCheck_ManyConcurrentFirstChecks_MakeOneRecordAndAgree()
    {
        await using var g = await GreylistHarness.StartAsync(provider);
        var recipient = GreylistHarness.NewRecipient();
        var keys = GreylistHarness.KeysFor("192.0.2.10", 24, Sender, recipient);

        var verdicts = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => g.CheckAsync($"192.0.2.{10 + i}", Sender, recipient)));

        Assert.All(verdicts, v => Assert.Equal((GreylistAction.Defer, GreylistReason.New, 300), (v.Action, v.Reason, v.RetryAfterSeconds)));
        var rows = await g.RowsAsync('t');
        Assert.Single(rows, r => r.RowKey.StartsWith(keys.PairPrefix, StringComparison.Ordinal));
        var stats = await g.Admin.GetGreylistStatsAsync(GreylistHarness.Bounded());
        Assert.Equal(1, stats.Triplets);
        Assert.Equal(24, stats.Checks.New);
    }

    [Fact]
    public async Task GreylistCheck_ManyConcurrentRetriesAfterDelay_AllPassAndCountOnePass()
    {
        await using var g = await GreylistHarness.StartAsync(provider);
        var recipient = GreylistHarness.NewRecipient();
        await g.CheckAsync("192.0.2.10", Sender, recipient);
        g.Advance(TimeSpan.FromMinutes(5));

        var verdicts = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => g.CheckAsync("192.0.2.10", Sender, recipient)));

        Assert.All(verdicts, v => Assert.Equal((GreylistAction.Accept, GreylistReason.Passed), (v.Action, v.Reason)));
        var client = Assert.Single(await g.RowsAsync('c'));
        Assert.Equal(1, client.GetInt32("Passes"));
        var stats = await g.Admin.GetGreylistStatsAsync(GreylistHarness.Bounded());
        Assert.Equal(1, stats.Passes);
        Assert.Equal(1, stats.Triplets);
    }
}

public sealed class GreylistConcurrencyAzuriteTests() : GreylistConcurrencyTests(StorageProvider.Azure);

public sealed class GreylistConcurrencySqliteTests() : GreylistConcurrencyTests(StorageProvider.Sqlite);
