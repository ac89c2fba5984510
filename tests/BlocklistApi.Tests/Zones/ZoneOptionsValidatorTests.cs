using BlocklistApi.Monitors;
using BlocklistApi.Reputation;
using BlocklistApi.Zones;

namespace BlocklistApi.Tests.Zones;

/// <summary>The options of zone health, cache refresh and monitors fail at start with messages that name the setting.</summary>
public sealed class ZoneOptionsValidatorTests
{
    [Fact]
    public void ZoneHealthOptions_Defaults_Pass() => Assert.True(new ZoneHealthOptionsValidator().Validate(null, new ZoneHealthOptions()).Succeeded);

    [Fact]
    public void ZoneHealthOptions_ZeroFailuresAndBadTable_FailNamingBoth()
    {
        var result = new ZoneHealthOptionsValidator().Validate(null, new ZoneHealthOptions { FailuresToDisable = 0, TableName = "zone-states" });

        Assert.True(result.Failed);
        Assert.Contains("ZoneHealth:FailuresToDisable must be from 1 to 1000 (it is 0).", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("ZoneHealth:TableName 'zone-states'", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void ReputationCacheOptions_ReadFlushNotShorterThanRefreshAhead_Fails()
    {
        var result = new ReputationCacheOptionsValidator().Validate(null, new ReputationCacheOptions
        {
            RefreshAhead = TimeSpan.FromSeconds(30),
            ReadFlushInterval = TimeSpan.FromSeconds(30),
        });

        Assert.True(result.Failed);
        Assert.Contains("ReputationCache:ReadFlushInterval (00:00:30) must be shorter than ReputationCache:RefreshAhead (00:00:30)", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void ReputationCacheOptions_NegativeFailureTtlAndZeroBatch_FailNamingBoth()
    {
        var result = new ReputationCacheOptionsValidator().Validate(null, new ReputationCacheOptions { FailureTtl = TimeSpan.FromSeconds(-1), RefreshBatch = 0 });

        Assert.True(result.Failed);
        Assert.Contains("ReputationCache:FailureTtl must be from 00:00:00 to 00:10:00", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("ReputationCache:RefreshBatch must be from 1 to 100000 (it is 0).", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void MonitorOptions_ZeroMaxAddresses_FailsNamingIt()
    {
        var result = new MonitorOptionsValidator().Validate(null, new MonitorOptions { MaxAddresses = 0 });

        Assert.True(result.Failed);
        Assert.Contains("Monitors:MaxAddresses must be from 1 to 65536 (it is 0).", result.FailureMessage, StringComparison.Ordinal);
    }
}
