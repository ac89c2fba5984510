using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BlocklistApi.Storage;

namespace BlocklistApi.Reputation;

/// <summary>
/// The keys of the ReputationCache table, which holds three kinds of rows.
/// <para>
/// <b>Answers</b>: PartitionKey "a00".."a3f", a shard of 64 chosen by SHA-256 of the address; RowKey
/// "address|zone". One address's answers share a shard, so a reputation call still reads them with one range query
/// in one partition and writes them with one batch. Why not the address as PartitionKey (the first design): Table
/// Storage has no TTL and no secondary index, so expired rows must be found by a filtered query and deleted in
/// one-partition batches. With one partition per address, finding them is a scan of the whole table and deleting
/// them costs a transaction per address; with 64 shards, a purge is at most 64 partition queries (each filtered on
/// ExpiresAt, where the rows are) and one transaction per 100 expired rows of a shard, whatever the table's size.
/// 64 shards keep the partition count small for the purge and still spread the load of reputation calls.
/// </para>
/// <para>
/// <b>Read marks</b>: PartitionKey "h" + the minute the answer expires ("h202611281205"), RowKey "address|zone".
/// An instance writes one per answer that was read from the cache during its life (in batches, see
/// <see cref="ReputationCacheReads"/>), so the refresh timer finds "read recently and expiring soon" with a few
/// partition queries (the minutes up to ReputationCache:RefreshAhead from now), and cleans whole past minutes.
/// </para>
/// <para><b>Bookkeeping</b>: ("meta", "refresh"): where the refresh timer's purge and mark cleaning go on next.</para>
/// </summary>
public static class ReputationCacheKeys
{
    public const int Shards = 64;
    public const string MetaPartition = "meta";
    public const string RefreshRow = "refresh";
    private const string MinuteFormat = "yyyyMMddHHmm";

    public static IEnumerable<string> AllShards => Enumerable.Range(0, Shards).Select(Shard);

    public static string Shard(int index) => "a" + index.ToString("x2", CultureInfo.InvariantCulture);

    public static string ShardOf(string ip)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(ip), hash);
        return Shard(hash[0] % Shards);
    }

    public static string RowKey(string ip, string zone) => ip + "|" + StorageNames.EscapeKey(zone);

    /// <summary>Reads <see cref="RowKey"/> back.</summary>
    public static (string Ip, string Zone) Parse(string rowKey)
    {
        var bar = rowKey.IndexOf('|', StringComparison.Ordinal);
        return (rowKey[..bar], StorageNames.UnescapeKey(rowKey[(bar + 1)..]));
    }

    /// <summary>Every answer row of one address: one range query in its shard.</summary>
    public static TableQuery AnswersOf(string ip) => TableQuery.RowKeyPrefix(ShardOf(ip), ip + "|");

    /// <summary>The partition of the read marks of answers that expire in the minute of <paramref name="expiresAt"/>.</summary>
    public static string MarkPartition(DateTimeOffset expiresAt) => "h" + expiresAt.UtcDateTime.ToString(MinuteFormat, CultureInfo.InvariantCulture);

    /// <summary>The start of the minute of <paramref name="time"/> (UTC).</summary>
    public static DateTimeOffset Minute(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
}
