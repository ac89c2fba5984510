using BlocklistApi.Net;
using BlocklistApi.Storage;

namespace BlocklistApi.Lists;

/// <summary>
/// The HostedLists table. PartitionKey is the list ("block"/"allow"), RowKey the range ("10.0.0.0_24"), so an entry
/// is a point read and a whole list one partition query. Scoped allow entries (approved whitelist requests) are in
/// partition "scoped", RowKey the id of the request that made them. Row ("meta", "version") is rewritten on every
/// change: its ETag is the lists' version, so each instance learns of a change with one point read.
/// </summary>
public sealed class HostedListStore(ITableStorage tables)
{
    public const string TableName = "HostedLists";
    private const string MetaPartition = "meta";
    private const string ScopedPartition = "scoped";
    private const string VersionRow = "version";

    public async Task<string?> GetVersionAsync(CancellationToken cancellationToken) =>
        (await tables.GetAsync(TableName, MetaPartition, VersionRow, cancellationToken))?.ETag;

    /// <summary>One list, or both (allow first) when <paramref name="list"/> is null.</summary>
    public async Task<IReadOnlyList<HostedListEntry>> ListAsync(HostedListKind? list, CancellationToken cancellationToken)
    {
        var entries = new List<HostedListEntry>();
        foreach (var kind in list is { } one ? [one] : new[] { HostedListKind.Allow, HostedListKind.Block })
        {
            var rows = await tables.QueryAsync(TableName, new TableQuery(PartitionOf(kind)), cancellationToken);
            entries.AddRange(rows.Select(ToEntry));
        }

        return entries;
    }

    public async Task<HostedListEntry?> GetAsync(HostedListKind list, IpNetwork range, CancellationToken cancellationToken) =>
        await tables.GetAsync(TableName, PartitionOf(list), range.ToKey(), cancellationToken) is { } row ? ToEntry(row) : null;

    public async Task UpsertAsync(HostedListEntry entry, CancellationToken cancellationToken)
    {
        var row = new TableRow(PartitionOf(entry.List), IpNetwork.FromText(entry.Range).ToKey())
        {
            ["Reason"] = entry.Reason,
            ["CreatedAt"] = entry.CreatedAt,
            ["UpdatedAt"] = entry.UpdatedAt,
            ["ExpiresAt"] = entry.ExpiresAt,
        };
        await tables.UpsertAsync(TableName, row, cancellationToken);
        await BumpVersionAsync(cancellationToken);
    }

    public async Task<bool> DeleteAsync(HostedListKind list, IpNetwork range, CancellationToken cancellationToken)
    {
        var existed = await tables.DeleteAsync(TableName, PartitionOf(list), range.ToKey(), ifMatch: null, cancellationToken);
        if (existed)
        {
            await BumpVersionAsync(cancellationToken);
        }

        return existed;
    }

    /// <summary>Every scoped allow entry, expired ones included.</summary>
    public async Task<IReadOnlyList<ScopedAllowEntry>> ListScopedAsync(CancellationToken cancellationToken) =>
        (await tables.QueryAsync(TableName, new TableQuery(ScopedPartition), cancellationToken)).Select(ToScoped).ToList();

    /// <summary>Writes the scoped entry of a request (the same row however often: its key is the request's id).</summary>
    public async Task UpsertScopedAsync(ScopedAllowEntry entry, CancellationToken cancellationToken)
    {
        var row = new TableRow(ScopedPartition, entry.Id)
        {
            ["Range"] = entry.Range,
            ["Recipient"] = entry.Recipient,
            ["SenderDomain"] = entry.SenderDomain,
            ["Reason"] = entry.Reason,
            ["CreatedAt"] = entry.CreatedAt,
            ["ExpiresAt"] = entry.ExpiresAt,
        };
        await tables.UpsertAsync(TableName, row, cancellationToken);
        await BumpVersionAsync(cancellationToken);
    }

    private Task<TableWrite> BumpVersionAsync(CancellationToken cancellationToken) =>
        tables.UpsertAsync(TableName, new TableRow(MetaPartition, VersionRow), cancellationToken);

    private static ScopedAllowEntry ToScoped(TableRow row) => new(
        row.RowKey,
        row.GetString("Range") ?? "",
        row.GetString("Recipient") ?? "",
        row.GetString("SenderDomain"),
        row.GetString("Reason") ?? "",
        row.GetDateTimeOffset("CreatedAt") ?? default,
        row.GetDateTimeOffset("ExpiresAt"));

    private static string PartitionOf(HostedListKind list) => list == HostedListKind.Allow ? "allow" : "block";

    private static HostedListEntry ToEntry(TableRow row) => new(
        row.PartitionKey == "allow" ? HostedListKind.Allow : HostedListKind.Block,
        IpNetwork.FromKey(row.RowKey).ToString(),
        row.GetString("Reason") ?? "",
        row.GetDateTimeOffset("CreatedAt") ?? default,
        row.GetDateTimeOffset("UpdatedAt") ?? default,
        row.GetDateTimeOffset("ExpiresAt"));
}
