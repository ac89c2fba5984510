using System.Text.Json;
using BlocklistApi.Net;
using BlocklistApi.Storage;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Monitors;

/// <summary>One monitored range as stored.</summary>
internal sealed record MonitorRecord(IpNetwork Range, string? Label, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>One listing as stored: the range it belongs to, and what the zone said.</summary>
internal sealed record ListingRecord(string RangeKey, MonitorListing Listing, string? ETag);

/// <summary>
/// The Monitors table (through <see cref="ITableStorage"/>): ranges in partition "range" (RowKey "192.0.2.0_28"),
/// current listings in partition "listing" (RowKey "address|zone", with the range's key), and ("meta", "run") with
/// the last check's time. Monitors__MaxAddresses bounds both partitions, so reading either is one bounded query.
/// Ranges never overlap, so an address has at most one listing row per zone.
/// </summary>
public sealed class MonitorStore(ITableStorage tables, IOptions<MonitorOptions> options)
{
    private const string RangePartition = "range";
    private const string ListingPartition = "listing";
    private const string MetaPartition = "meta";
    private const string RunRow = "run";
    private readonly string _tableName = options.Value.TableName;

    internal async Task<IReadOnlyList<MonitorRecord>> ListRangesAsync(CancellationToken cancellationToken) =>
        (await tables.QueryAsync(_tableName, new TableQuery(RangePartition), cancellationToken)).Select(ToRange).ToList();

    internal async Task<MonitorRecord?> GetRangeAsync(IpNetwork range, CancellationToken cancellationToken) =>
        await tables.GetAsync(_tableName, RangePartition, range.ToKey(), cancellationToken) is { } row ? ToRange(row) : null;

    internal Task<TableWrite> UpsertRangeAsync(MonitorRecord record, CancellationToken cancellationToken) =>
        tables.UpsertAsync(_tableName, new TableRow(RangePartition, record.Range.ToKey())
        {
            ["Label"] = record.Label,
            ["CreatedAt"] = record.CreatedAt,
            ["UpdatedAt"] = record.UpdatedAt,
        }, cancellationToken);

    /// <summary>Deletes the range and its listings; false when it was not monitored.</summary>
    internal async Task<bool> DeleteRangeAsync(IpNetwork range, CancellationToken cancellationToken)
    {
        var existed = await tables.DeleteAsync(_tableName, RangePartition, range.ToKey(), ifMatch: null, cancellationToken);
        foreach (var listing in (await ListListingsAsync(cancellationToken)).Where(l => l.RangeKey == range.ToKey()))
        {
            await DeleteListingAsync(listing, cancellationToken);
        }

        return existed;
    }

    internal async Task<IReadOnlyList<ListingRecord>> ListListingsAsync(CancellationToken cancellationToken) =>
        (await tables.QueryAsync(_tableName, new TableQuery(ListingPartition), cancellationToken)).Select(ToListing).ToList();

    /// <summary>Stores a new listing; not written when one was stored meanwhile (it was alerted then).</summary>
    internal Task<TableWrite> InsertListingAsync(string rangeKey, MonitorListing listing, CancellationToken cancellationToken) =>
        tables.InsertAsync(_tableName, ListingRow(rangeKey, listing), cancellationToken);

    /// <summary>Replaces a listing whose codes or reasons changed (no alert: still listed).</summary>
    internal async Task UpdateListingAsync(ListingRecord current, MonitorListing listing, CancellationToken cancellationToken) =>
        await tables.ReplaceAsync(_tableName, ListingRow(current.RangeKey, listing), current.ETag!, cancellationToken);

    /// <summary>Deletes a listing; false when it was gone or changed meanwhile.</summary>
    internal Task<bool> DeleteListingAsync(ListingRecord listing, CancellationToken cancellationToken) =>
        tables.DeleteAsync(_tableName, ListingPartition, ListingKey(listing.Listing.Address, listing.Listing.Zone), listing.ETag, cancellationToken);

    internal async Task<DateTimeOffset?> GetLastCheckAsync(CancellationToken cancellationToken) =>
        (await tables.GetAsync(_tableName, MetaPartition, RunRow, cancellationToken))?.GetDateTimeOffset("LastCheckedAt");

    internal Task<TableWrite> SetLastCheckAsync(DateTimeOffset at, CancellationToken cancellationToken) =>
        tables.UpsertAsync(_tableName, new TableRow(MetaPartition, RunRow) { ["LastCheckedAt"] = at }, cancellationToken);

    private static string ListingKey(string address, string zone) => address + "|" + StorageNames.EscapeKey(zone);

    private static TableRow ListingRow(string rangeKey, MonitorListing listing) => new(ListingPartition, ListingKey(listing.Address, listing.Zone))
    {
        ["Range"] = rangeKey,
        ["Zone"] = listing.Zone,
        ["Codes"] = JsonSerializer.Serialize(listing.Codes),
        ["Meanings"] = JsonSerializer.Serialize(listing.Meanings),
        ["Reasons"] = JsonSerializer.Serialize(listing.Reasons),
        ["DelistUrl"] = listing.DelistUrl,
        ["Since"] = listing.Since,
    };

    private static MonitorRecord ToRange(TableRow row) => new(
        IpNetwork.FromKey(row.RowKey),
        row.GetString("Label"),
        row.GetDateTimeOffset("CreatedAt") ?? default,
        row.GetDateTimeOffset("UpdatedAt") ?? default);

    private static ListingRecord ToListing(TableRow row) => new(
        row.GetString("Range") ?? "",
        new MonitorListing(
            row.RowKey[..row.RowKey.IndexOf('|', StringComparison.Ordinal)],
            row.GetString("Zone") ?? "",
            ReadList(row, "Codes"),
            ReadList(row, "Meanings"),
            ReadList(row, "Reasons"),
            row.GetString("DelistUrl"),
            row.GetDateTimeOffset("Since") ?? default),
        row.ETag);

    private static string[] ReadList(TableRow row, string name) =>
        row.GetString(name) is { Length: > 0 } json ? JsonSerializer.Deserialize<string[]>(json) ?? [] : [];
}
