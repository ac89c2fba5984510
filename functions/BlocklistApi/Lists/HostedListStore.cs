using Azure;
using Azure.Data.Tables;
using BlocklistApi.Net;
using BlocklistApi.Storage;

namespace BlocklistApi.Lists;

/// <summary>
/// The HostedLists table. PartitionKey is the list ("block"/"allow"), RowKey the range ("10.0.0.0_24"), so an entry
/// is a point read and a whole list one partition query. Row ("meta", "version") is rewritten on every change: its
/// ETag is the lists' version, so each instance learns of a change with one point read.
/// </summary>
public sealed class HostedListStore(StorageTables tables)
{
    public const string TableName = "HostedLists";
    private const string MetaPartition = "meta";
    private const string VersionRow = "version";

    public async Task<string?> GetVersionAsync(CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        var meta = await table.GetEntityIfExistsAsync<TableEntity>(MetaPartition, VersionRow, select: ["PartitionKey"], cancellationToken);
        return meta.HasValue ? meta.Value!.ETag.ToString() : null;
    }

    public async Task<IReadOnlyList<HostedListEntry>> ListAsync(HostedListKind? list, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        var filter = list is { } kind
            ? TableClient.CreateQueryFilter($"PartitionKey eq {PartitionOf(kind)}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {PartitionOf(HostedListKind.Allow)} or PartitionKey eq {PartitionOf(HostedListKind.Block)}");
        var entries = new List<HostedListEntry>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            entries.Add(ToEntry(entity));
        }

        return entries;
    }

    public async Task<HostedListEntry?> GetAsync(HostedListKind list, IpNetwork range, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        var entity = await table.GetEntityIfExistsAsync<TableEntity>(PartitionOf(list), range.ToKey(), cancellationToken: cancellationToken);
        return entity.HasValue ? ToEntry(entity.Value!) : null;
    }

    public async Task UpsertAsync(HostedListEntry entry, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        var entity = new TableEntity(PartitionOf(entry.List), IpNetwork.FromText(entry.Range).ToKey())
        {
            ["Reason"] = entry.Reason,
            ["CreatedAt"] = entry.CreatedAt,
            ["UpdatedAt"] = entry.UpdatedAt,
            ["ExpiresAt"] = entry.ExpiresAt,
        };
        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
        await BumpVersionAsync(table, cancellationToken);
    }

    public async Task<bool> DeleteAsync(HostedListKind list, IpNetwork range, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        var response = await table.DeleteEntityAsync(PartitionOf(list), range.ToKey(), ETag.All, cancellationToken);
        var existed = response.Status != 404;
        if (existed)
        {
            await BumpVersionAsync(table, cancellationToken);
        }

        return existed;
    }

    private static Task<Azure.Response> BumpVersionAsync(TableClient table, CancellationToken cancellationToken) =>
        table.UpsertEntityAsync(new TableEntity(MetaPartition, VersionRow), TableUpdateMode.Replace, cancellationToken);

    private static string PartitionOf(HostedListKind list) => list == HostedListKind.Allow ? "allow" : "block";

    private static HostedListEntry ToEntry(TableEntity entity) => new(
        entity.PartitionKey == "allow" ? HostedListKind.Allow : HostedListKind.Block,
        IpNetwork.FromKey(entity.RowKey).ToString(),
        entity.GetString("Reason") ?? "",
        entity.GetDateTimeOffset("CreatedAt") ?? entity.Timestamp ?? default,
        entity.GetDateTimeOffset("UpdatedAt") ?? entity.Timestamp ?? default,
        entity.GetDateTimeOffset("ExpiresAt"));
}
