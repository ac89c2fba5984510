using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BlocklistApi.Net;
using BlocklistApi.Storage;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Greylist;

/// <summary>The keys of one triplet: its partition, the row-key prefix shared by every network of its sender/recipient pair, and its row.</summary>
internal sealed record TripletKeys(string PartitionKey, string PairPrefix, string RowKey);

/// <summary>How a conditional write went.</summary>
internal enum WriteOutcome
{
    Written,
    /// <summary>Another writer got there first: the row exists (insert), changed or vanished (replace). Re-read and decide again.</summary>
    Conflict,
}

/// <summary>
/// The Greylist table (through <see cref="ITableStorage"/>, so on either provider): triplets, auto-whitelist clients and the shared statistics row.
/// <para>
/// <b>Triplets.</b> H = the first 128 bits of SHA-256 over "sender\nrecipient" (normalised), in hex. PartitionKey is
/// "t" + the first two hex digits of H (256 partitions, "t00".."tff"); RowKey is H + "_" + the client network
/// ("3fa2…c1_192.0.2.0_24"). So:
/// a check is <b>one</b> range query inside one partition (RowKey from "H_" to "H`"), which returns the row of the
/// client's network <i>and</i> the rows of every other network for the same sender/recipient pair (what the SPF rule,
/// "a retry from another address the sender's SPF authorises counts as the same client", needs, at no extra cost);
/// a new triplet is one insert (409 when another MX host inserted it first), a state change one replace with If-Match
/// (412 when someone else changed it): ETag optimistic concurrency, never last-writer-wins;
/// a known triplet is not written again within Greylist:RefreshInterval.
/// Hashing spreads load evenly over the partitions (no hot partition for a big sender or recipient domain), keeps
/// e-mail addresses out of storage (like postgrey --privacy), and bounds key length whatever the addresses.
/// </para>
/// <para>
/// <b>Purge.</b> Table Storage has no TTL and no secondary index, so the purge runs one filtered query per partition
/// ("t00".."tff", "c00".."cff": 512 queries whatever the table size, each scanning only its partition) and deletes
/// what it finds in entity-group transactions of up to 100 rows (one partition each), with ETags so that a row
/// refreshed meanwhile survives. At millions of rows that is a few thousand rows per partition and about one delete
/// transaction per hundred expired rows; it never touches the rows of the check path's partition key range in a way
/// that blocks checks, and checks stay one indexed range query whatever the table size.
/// </para>
/// <para>
/// <b>Clients</b> (auto-whitelisting, keyed by address as postgrey does): PartitionKey "c" + two hex digits of
/// SHA-256(address), RowKey the address. <b>Statistics</b>: one row ("stats", "totals") of counters, added to by each
/// instance with If-Match.
/// </para>
/// </summary>
public sealed class GreylistStore(ITableStorage tables, IOptions<GreylistOptions> options)
{
    public const string StatsPartition = "stats";
    public const string StatsRow = "totals";
    private const string Pending = "pending";
    private const string Passed = "passed";

    /// <summary>The most rows a pair query returns: one page of Table Storage.</summary>
    private const int MaxPairRows = 1000;

    private readonly string _tableName = options.Value.TableName;

    /// <summary>Every partition the purge visits: the 256 triplet and the 256 client partitions.</summary>
    internal static IEnumerable<string> PurgePartitions =>
        Enumerable.Range(0, 256).SelectMany(i => new[] { "t" + i.ToString("x2", CultureInfo.InvariantCulture), "c" + i.ToString("x2", CultureInfo.InvariantCulture) });

    internal static TripletKeys KeysFor(Triplet triplet)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(triplet.Sender + "\n" + triplet.Recipient), hash);
        var pair = Convert.ToHexStringLower(hash[..16]);
        return new TripletKeys("t" + pair[..2], pair + "_", pair + "_" + triplet.Network.ToKey());
    }

    /// <summary>
    /// One range query: the rows of every client network for this sender/recipient pair (up to 1000 networks, one
    /// request; the client's own row, if past them, shows up as an insert conflict and is then read by its key).
    /// </summary>
    internal async Task<IReadOnlyList<TripletRecord>> ReadPairAsync(TripletKeys keys, CancellationToken cancellationToken)
    {
        var query = TableQuery.RowKeyPrefix(keys.PartitionKey, keys.PairPrefix) with { Take = MaxPairRows };
        var rows = await tables.QueryAsync(_tableName, query, cancellationToken);
        return rows.Select(ToTriplet).OfType<TripletRecord>().ToList();
    }

    internal async Task<TripletRecord?> GetTripletAsync(TripletKeys keys, CancellationToken cancellationToken) =>
        await tables.GetAsync(_tableName, keys.PartitionKey, keys.RowKey, cancellationToken) is { } row ? ToTriplet(row) : null;

    internal async Task<WriteOutcome> WriteTripletAsync(TripletKeys keys, TripletWrite write, CancellationToken cancellationToken)
    {
        var row = new TableRow(keys.PartitionKey, keys.RowKey)
        {
            ["State"] = write.State == TripletState.Passed ? Passed : Pending,
            ["FirstSeen"] = write.FirstSeen,
            ["LastSeen"] = write.LastSeen,
            ["PassedAt"] = write.PassedAt,
        };
        return (await WriteAsync(row, write.IfMatch, cancellationToken)).Written ? WriteOutcome.Written : WriteOutcome.Conflict;
    }

    internal async Task<ClientRecord?> GetClientAsync(string address, CancellationToken cancellationToken) =>
        await tables.GetAsync(_tableName, ClientPartition(address), address, cancellationToken) is { } row ? ToClient(row) : null;

    internal async Task<(WriteOutcome Outcome, ClientRecord? Record)> WriteClientAsync(string address, ClientWrite write, CancellationToken cancellationToken)
    {
        var row = new TableRow(ClientPartition(address), address)
        {
            ["Passes"] = write.Passes,
            ["LastCountedAt"] = write.LastCountedAt,
            ["LastSeen"] = write.LastSeen,
            ["WhitelistedAt"] = write.WhitelistedAt,
        };
        var result = await WriteAsync(row, write.IfMatch, cancellationToken);
        return result.Written
            ? (WriteOutcome.Written, new ClientRecord(address, write.Passes, write.LastCountedAt, write.LastSeen, write.WhitelistedAt, result.ETag))
            : (WriteOutcome.Conflict, null);
    }

    /// <summary>The statistics row, or null before the first flush.</summary>
    internal Task<TableRow?> GetStatsAsync(CancellationToken cancellationToken) =>
        tables.GetAsync(_tableName, StatsPartition, StatsRow, cancellationToken);

    /// <summary>Writes the statistics row if it has not changed since it was read (or inserts it).</summary>
    internal async Task<WriteOutcome> WriteStatsAsync(TableRow stats, CancellationToken cancellationToken) =>
        (await WriteAsync(stats, stats.ETag, cancellationToken)).Written ? WriteOutcome.Written : WriteOutcome.Conflict;

    /// <summary>
    /// Deletes the expired rows of one partition (see the class remarks): returns how many triplets, and how many
    /// auto-whitelisted clients, were deleted.
    /// </summary>
    internal async Task<(int Triplets, int WhitelistedClients)> PurgePartitionAsync(string partition, GreylistOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var isTriplets = partition[0] == 't';
        var filter = isTriplets
            ? (TableFilter.Equal("State", Pending) & TableFilter.LessThan("FirstSeen", now - options.RetryWindow))
                | (TableFilter.Equal("State", Passed) & TableFilter.LessThan("LastSeen", now - options.MaxAge))
            : TableFilter.LessThan("LastSeen", now - options.MaxAge);
        var candidates = await tables.QueryAsync(_tableName, new TableQuery(partition) { Filter = filter }, cancellationToken);
        // The filter mirrors GreylistRules.IsExpired; the pure rule has the last word.
        var expired = candidates.Where(row => isTriplets
            ? ToTriplet(row) is { } triplet && GreylistRules.IsExpired(triplet, options, now)
            : GreylistRules.IsExpired(ToClient(row), options, now)).ToList();

        var deleted = new List<TableRow>();
        foreach (var chunk in expired.Chunk(100))
        {
            deleted.AddRange(await DeleteAsync(chunk, cancellationToken));
        }

        return isTriplets
            ? (deleted.Count, 0)
            : (0, deleted.Count(r => GreylistRules.IsAutoWhitelisted(ToClient(r), options)));
    }

    private Task<TableWrite> WriteAsync(TableRow row, string? ifMatch, CancellationToken cancellationToken) => ifMatch is { } etag
        ? tables.ReplaceAsync(_tableName, row, etag, cancellationToken)
        : tables.InsertAsync(_tableName, row, cancellationToken);

    // One batch per chunk; if a row changed or vanished meanwhile the whole batch fails, and the rows are then deleted
    // one by one so that only the changed row survives.
    private async Task<IReadOnlyList<TableRow>> DeleteAsync(TableRow[] chunk, CancellationToken cancellationToken)
    {
        if (await tables.SubmitBatchAsync(_tableName, chunk.Select(r => new TableBatchAction(TableBatchKind.Delete, r, r.ETag)).ToList(), cancellationToken))
        {
            return chunk;
        }

        var deleted = new List<TableRow>();
        foreach (var row in chunk)
        {
            if (await tables.DeleteAsync(_tableName, row.PartitionKey, row.RowKey, row.ETag, cancellationToken))
            {
                deleted.Add(row);
            }
        }

        return deleted;
    }

    private static string ClientPartition(string address)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(address), hash);
        return "c" + Convert.ToHexStringLower(hash[..1]);
    }

    private static TripletRecord? ToTriplet(TableRow row)
    {
        var separator = row.RowKey.IndexOf('_', StringComparison.Ordinal);
        if (separator < 0 || !IpNetwork.TryParse(row.RowKey[(separator + 1)..].Replace('_', '/'), out var network, out _))
        {
            return null;
        }

        return new TripletRecord(
            network,
            row.GetString("State") == Passed ? TripletState.Passed : TripletState.Pending,
            row.GetDateTimeOffset("FirstSeen") ?? default,
            row.GetDateTimeOffset("LastSeen") ?? default,
            row.GetDateTimeOffset("PassedAt"),
            row.ETag);
    }

    private static ClientRecord ToClient(TableRow row) => new(
        row.RowKey,
        row.GetInt32("Passes") ?? 0,
        row.GetDateTimeOffset("LastCountedAt"),
        row.GetDateTimeOffset("LastSeen") ?? default,
        row.GetDateTimeOffset("WhitelistedAt"),
        row.ETag);
}
