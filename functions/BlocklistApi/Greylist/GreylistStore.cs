using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
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
/// The Greylist table: triplets, auto-whitelist clients and the shared statistics row.
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
public sealed class GreylistStore(StorageTables tables, IOptions<GreylistOptions> options)
{
    public const string StatsPartition = "stats";
    public const string StatsRow = "totals";
    private const string Pending = "pending";
    private const string Passed = "passed";

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

    /// <summary>One range query: the rows of every client network for this sender/recipient pair.</summary>
    internal async Task<IReadOnlyList<TripletRecord>> ReadPairAsync(TripletKeys keys, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(_tableName, cancellationToken);
        // '`' is the character after '_', so the range holds exactly the rows whose key starts with "H_".
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {keys.PartitionKey} and RowKey ge {keys.PairPrefix} and RowKey lt {keys.PairPrefix[..^1] + "`"}");
        var rows = new List<TripletRecord>();
        // The first page only (up to 1000 networks): one request. The client's own row, if past it, shows up as an
        // insert conflict and is then read by its key.
        await foreach (var page in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).AsPages())
        {
            rows.AddRange(page.Values.Select(ToTriplet).OfType<TripletRecord>());
            break;
        }

        return rows;
    }

    internal async Task<TripletRecord?> GetTripletAsync(TripletKeys keys, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(_tableName, cancellationToken);
        var entity = await table.GetEntityIfExistsAsync<TableEntity>(keys.PartitionKey, keys.RowKey, cancellationToken: cancellationToken);
        return entity.HasValue ? ToTriplet(entity.Value!) : null;
    }

    internal async Task<WriteOutcome> WriteTripletAsync(TripletKeys keys, TripletWrite write, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(keys.PartitionKey, keys.RowKey)
        {
            ["State"] = write.State == TripletState.Passed ? Passed : Pending,
            ["FirstSeen"] = write.FirstSeen,
            ["LastSeen"] = write.LastSeen,
            ["PassedAt"] = write.PassedAt,
        };
        return await WriteAsync(entity, write.IfMatch, cancellationToken);
    }

    internal async Task<ClientRecord?> GetClientAsync(string address, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(_tableName, cancellationToken);
        var entity = await table.GetEntityIfExistsAsync<TableEntity>(ClientPartition(address), address, cancellationToken: cancellationToken);
        return entity.HasValue ? ToClient(entity.Value!) : null;
    }

    internal async Task<(WriteOutcome Outcome, ClientRecord? Record)> WriteClientAsync(string address, ClientWrite write, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(ClientPartition(address), address)
        {
            ["Passes"] = write.Passes,
            ["LastCountedAt"] = write.LastCountedAt,
            ["LastSeen"] = write.LastSeen,
            ["WhitelistedAt"] = write.WhitelistedAt,
        };
        var outcome = await WriteAsync(entity, write.IfMatch, cancellationToken);
        return outcome == WriteOutcome.Written
            ? (outcome, new ClientRecord(address, write.Passes, write.LastCountedAt, write.LastSeen, write.WhitelistedAt, entity.ETag))
            : (outcome, null);
    }

    /// <summary>The statistics row, or null before the first flush.</summary>
    internal async Task<TableEntity?> GetStatsAsync(CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(_tableName, cancellationToken);
        var entity = await table.GetEntityIfExistsAsync<TableEntity>(StatsPartition, StatsRow, cancellationToken: cancellationToken);
        return entity.HasValue ? entity.Value : null;
    }

    /// <summary>Writes the statistics row if it has not changed since it was read (or inserts it).</summary>
    internal Task<WriteOutcome> WriteStatsAsync(TableEntity stats, CancellationToken cancellationToken) =>
        WriteAsync(stats, stats.ETag == default ? null : stats.ETag, cancellationToken);

    /// <summary>
    /// Deletes the expired rows of one partition (see the class remarks): returns how many triplets, and how many
    /// auto-whitelisted clients, were deleted.
    /// </summary>
    internal async Task<(int Triplets, int WhitelistedClients)> PurgePartitionAsync(string partition, GreylistOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(_tableName, cancellationToken);
        var isTriplets = partition[0] == 't';
        var filter = isTriplets
            ? TableClient.CreateQueryFilter(
                $"PartitionKey eq {partition} and ((State eq {Pending} and FirstSeen lt {now - options.RetryWindow}) or (State eq {Passed} and LastSeen lt {now - options.MaxAge}))")
            : TableClient.CreateQueryFilter($"PartitionKey eq {partition} and LastSeen lt {now - options.MaxAge}");
        var expired = new List<TableEntity>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            // The filter mirrors GreylistRules.IsExpired; the pure rule has the last word.
            var isExpired = isTriplets
                ? ToTriplet(entity) is { } triplet && GreylistRules.IsExpired(triplet, options, now)
                : GreylistRules.IsExpired(ToClient(entity), options, now);
            if (isExpired)
            {
                expired.Add(entity);
            }
        }

        var deleted = new List<TableEntity>();
        foreach (var chunk in expired.Chunk(100))
        {
            deleted.AddRange(await DeleteAsync(table, chunk, cancellationToken));
        }

        return isTriplets
            ? (deleted.Count, 0)
            : (0, deleted.Count(e => GreylistRules.IsAutoWhitelisted(ToClient(e), options)));
    }

    private async Task<WriteOutcome> WriteAsync(TableEntity entity, ETag? ifMatch, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(_tableName, cancellationToken);
        try
        {
            var response = ifMatch is { } etag
                ? await table.UpdateEntityAsync(entity, etag, TableUpdateMode.Replace, cancellationToken)
                : await table.AddEntityAsync(entity, cancellationToken);
            entity.ETag = response.Headers.ETag ?? default;
            return WriteOutcome.Written;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            return WriteOutcome.Conflict;
        }
    }

    // One transaction per chunk; if a row changed or vanished meanwhile the whole transaction fails, and the rows are
    // then deleted one by one so that only the changed row survives.
    private static async Task<IReadOnlyList<TableEntity>> DeleteAsync(TableClient table, TableEntity[] chunk, CancellationToken cancellationToken)
    {
        try
        {
            await table.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.Delete, e, e.ETag)), cancellationToken);
            return chunk;
        }
        catch (TableTransactionFailedException)
        {
            var deleted = new List<TableEntity>();
            foreach (var entity in chunk)
            {
                try
                {
                    // A row already gone answers 404 without an exception.
                    var response = await table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, entity.ETag, cancellationToken);
                    if (response.Status != 404)
                    {
                        deleted.Add(entity);
                    }
                }
                catch (RequestFailedException ex) when (ex.Status is 404 or 412)
                {
                }
            }

            return deleted;
        }
    }

    private static string ClientPartition(string address)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(address), hash);
        return "c" + Convert.ToHexStringLower(hash[..1]);
    }

    private static TripletRecord? ToTriplet(TableEntity entity)
    {
        var separator = entity.RowKey.IndexOf('_', StringComparison.Ordinal);
        if (separator < 0 || !IpNetwork.TryParse(entity.RowKey[(separator + 1)..].Replace('_', '/'), out var network, out _))
        {
            return null;
        }

        return new TripletRecord(
            network,
            entity.GetString("State") == Passed ? TripletState.Passed : TripletState.Pending,
            entity.GetDateTimeOffset("FirstSeen") ?? default,
            entity.GetDateTimeOffset("LastSeen") ?? default,
            entity.GetDateTimeOffset("PassedAt"),
            entity.ETag);
    }

    private static ClientRecord ToClient(TableEntity entity) => new(
        entity.RowKey,
        entity.GetInt32("Passes") ?? 0,
        entity.GetDateTimeOffset("LastCountedAt"),
        entity.GetDateTimeOffset("LastSeen") ?? default,
        entity.GetDateTimeOffset("WhitelistedAt"),
        entity.ETag);
}
