using BlocklistApi.Reputation;

namespace BlocklistApi.Tests.Zones;

public sealed class ReputationCacheKeysTests
{
    [Fact]
    public void ShardOf_Addresses_SpreadOverAll64ShardsAndStable()
    {
        var shards = Enumerable.Range(0, 4096).Select(i => ReputationCacheKeys.ShardOf($"10.0.{i / 256}.{i % 256}")).ToList();

        Assert.Equal(ReputationCacheKeys.AllShards.Order(), shards.Distinct().Order());
        Assert.Equal(ReputationCacheKeys.ShardOf("192.0.2.1"), ReputationCacheKeys.ShardOf("192.0.2.1"));
        Assert.All(shards, s => Assert.Matches("^a[0-3][0-9a-f]$", s));
    }

    [Theory]
    [InlineData("192.0.2.1", "zen.spamhaus.org")]
    [InlineData("2001:db8::1", "My list / #1?")]
    public void RowKey_AddressAndZone_ReadBackAndSafeForTableKeys(string ip, string zone)
    {
        var key = ReputationCacheKeys.RowKey(ip, zone);

        Assert.Equal((ip, zone), ReputationCacheKeys.Parse(key));
        Assert.True(BlocklistApi.Storage.StorageNames.IsValidKey(key));
    }

    [Fact]
    public void AnswersOf_Address_OneRangeOfItsShardThatExcludesLongerAddresses()
    {
        var query = ReputationCacheKeys.AnswersOf("2001:db8::1");

        Assert.Equal(ReputationCacheKeys.ShardOf("2001:db8::1"), query.PartitionKey);
        Assert.Equal("2001:db8::1|", query.RowKeyFrom);
        Assert.Equal("2001:db8::1}", query.RowKeyBefore);
        Assert.True(string.CompareOrdinal(ReputationCacheKeys.RowKey("2001:db8::10", "z"), query.RowKeyFrom) < 0);
    }

    [Fact]
    public void MarkPartition_ExpiryTime_IsItsUtcMinute()
    {
        var expires = new DateTimeOffset(2026, 11, 28, 13, 5, 59, TimeSpan.FromHours(1));

        Assert.Equal("h202611281205", ReputationCacheKeys.MarkPartition(expires));
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 12, 5, 0, TimeSpan.Zero), ReputationCacheKeys.Minute(expires));
    }
}
