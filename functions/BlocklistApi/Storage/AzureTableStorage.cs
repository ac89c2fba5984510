using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Storage;

/// <summary>
/// <see cref="ITableStorage"/> on Azure Table Storage (or Azurite): one <see cref="TableServiceClient"/>, tables
/// created once per process on first use, every operation under one Storage:Timeout deadline with the client's
/// retries inside it, and every outcome reported to <see cref="StorageHealth"/>.
/// </summary>
public sealed class AzureTableStorage(TableServiceClient service, StorageHealth health, IOptions<StorageOptions> options) : ITableStorage
{
    /// <summary>Table Storage's limit of actions in one entity-group transaction.</summary>
    public const int MaxBatchSize = 100;

    private readonly CreatedOnce<TableClient> _tables = new((name, token) => CreateAsync(service, options.Value.NamePrefix + name, token),
        ex => ex is RequestFailedException { ErrorCode: "TableNotFound" });

    public Task<TableRow?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken) =>
        RunAsync(StorageAccess.Read, table, async (client, token) =>
        {
            var entity = await client.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: token);
            return entity.HasValue ? ToRow(entity.Value!) : null;
        }, cancellationToken);

    public Task<IReadOnlyList<TableRow>> QueryAsync(string table, TableQuery query, CancellationToken cancellationToken) =>
        RunAsync(StorageAccess.Read, table, async (client, token) =>
        {
            var rows = new List<TableRow>();
            var pageSize = query.Take is { } take ? Math.Min(take, 1000) : (int?)null;
            await foreach (var entity in client.QueryAsync<TableEntity>(ODataFilter.For(query), pageSize, cancellationToken: token))
            {
                rows.Add(ToRow(entity));
                if (rows.Count == query.Take)
                {
                    break;
                }
            }

            return (IReadOnlyList<TableRow>)rows;
        }, cancellationToken);

    public Task<TableWrite> InsertAsync(string table, TableRow row, CancellationToken cancellationToken) =>
        WriteAsync(table, (client, token) => client.AddEntityAsync(ToEntity(row), token), cancellationToken);

    public Task<TableWrite> ReplaceAsync(string table, TableRow row, string ifMatch, CancellationToken cancellationToken) =>
        WriteAsync(table, (client, token) => client.UpdateEntityAsync(ToEntity(row), new ETag(ifMatch), TableUpdateMode.Replace, token), cancellationToken);

    public Task<TableWrite> UpsertAsync(string table, TableRow row, CancellationToken cancellationToken) =>
        WriteAsync(table, (client, token) => client.UpsertEntityAsync(ToEntity(row), TableUpdateMode.Replace, token), cancellationToken);

    public Task<bool> DeleteAsync(string table, string partitionKey, string rowKey, string? ifMatch, CancellationToken cancellationToken) =>
        RunAsync(StorageAccess.Write, table, async (client, token) =>
        {
            try
            {
                // A row already gone answers 404 without an exception.
                var response = await client.DeleteEntityAsync(partitionKey, rowKey, ifMatch is null ? ETag.All : new ETag(ifMatch), token);
                return response.Status != 404;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                return false;
            }
        }, cancellationToken);

    public Task<bool> SubmitBatchAsync(string table, IReadOnlyList<TableBatchAction> actions, CancellationToken cancellationToken)
    {
        if (actions.Count is 0 or > MaxBatchSize || actions.Any(a => a.Row.PartitionKey != actions[0].Row.PartitionKey))
        {
            throw new ArgumentException($"A batch is 1 to {MaxBatchSize} actions on one partition.", nameof(actions));
        }

        return RunAsync(StorageAccess.Write, table, async (client, token) =>
        {
            try
            {
                await client.SubmitTransactionAsync(actions.Select(ToTransactionAction), token);
                return true;
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 404 or 409 or 412)
            {
                return false;
            }
        }, cancellationToken);
    }

    private Task<TableWrite> WriteAsync(string table, Func<TableClient, CancellationToken, Task<Response>> write, CancellationToken cancellationToken) =>
        RunAsync(StorageAccess.Write, table, async (client, token) =>
        {
            try
            {
                var response = await write(client, token);
                return new TableWrite(true, response.Headers.ETag?.ToString());
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
            {
                return TableWrite.Conflict;
            }
        }, cancellationToken);

    private Task<T> RunAsync<T>(StorageAccess access, string table, Func<TableClient, CancellationToken, Task<T>> operation, CancellationToken cancellationToken) =>
        health.RunAsync(access, token => _tables.RunAsync(table, operation, token), cancellationToken);

    private static async Task<TableClient> CreateAsync(TableServiceClient service, string name, CancellationToken cancellationToken)
    {
        var client = service.GetTableClient(name);
        await client.CreateIfNotExistsAsync(cancellationToken);
        return client;
    }

    private static TableTransactionAction ToTransactionAction(TableBatchAction action) => action.Kind switch
    {
        TableBatchKind.Upsert => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(action.Row)),
        TableBatchKind.Delete => new TableTransactionAction(TableTransactionActionType.Delete, ToEntity(action.Row), action.IfMatch is null ? ETag.All : new ETag(action.IfMatch)),
        _ => throw new ArgumentOutOfRangeException(nameof(action), action.Kind, null),
    };

    private static TableEntity ToEntity(TableRow row)
    {
        var entity = new TableEntity(row.PartitionKey, row.RowKey);
        foreach (var (name, value) in row.Properties)
        {
            entity[name] = value;
        }

        return entity;
    }

    private static TableRow ToRow(TableEntity entity)
    {
        var row = new TableRow(entity.PartitionKey, entity.RowKey, entity.ETag.ToString());
        foreach (var (name, value) in entity)
        {
            if (name is "PartitionKey" or "RowKey" or "Timestamp" or "odata.etag")
            {
                continue;
            }

            row[name] = value switch
            {
                DateTime dateTime => new DateTimeOffset(DateTime.SpecifyKind(dateTime, DateTimeKind.Utc)),
                _ => value,
            };
        }

        return row;
    }

    /// <summary>A <see cref="TableQuery"/> as an OData filter, every constant formatted by the SDK (never interpolated).</summary>
    internal static class ODataFilter
    {
        public static string? For(TableQuery query)
        {
            var parts = new List<string>();
            if (query.PartitionKey is { } partition)
            {
                parts.Add(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"));
            }

            if (query.RowKeyFrom is { } from)
            {
                parts.Add(TableClient.CreateQueryFilter($"RowKey ge {from}"));
            }

            if (query.RowKeyBefore is { } before)
            {
                parts.Add(TableClient.CreateQueryFilter($"RowKey lt {before}"));
            }

            if (query.Filter is { } filter)
            {
                parts.Add(For(filter));
            }

            return parts.Count == 0 ? null : string.Join(" and ", parts);
        }

        public static string For(TableFilter filter) => filter switch
        {
            TableFilter.All all => $"({For(all.Left)} and {For(all.Right)})",
            TableFilter.Any any => $"({For(any.Left)} or {For(any.Right)})",
            TableFilter.Comparison comparison => Comparison(comparison),
            _ => throw new ArgumentOutOfRangeException(nameof(filter), filter, null),
        };

        private static string Comparison(TableFilter.Comparison comparison)
        {
            var op = comparison.Operator switch
            {
                TableComparison.Equal => "eq",
                TableComparison.NotEqual => "ne",
                TableComparison.LessThan => "lt",
                TableComparison.LessThanOrEqual => "le",
                TableComparison.GreaterThan => "gt",
                TableComparison.GreaterThanOrEqual => "ge",
                _ => throw new ArgumentOutOfRangeException(nameof(comparison), comparison.Operator, null),
            };
            var value = comparison.Value switch
            {
                string text => TableClient.CreateQueryFilter($"{text}"),
                int number => TableClient.CreateQueryFilter($"{number}"),
                long number => TableClient.CreateQueryFilter($"{number}"),
                double number => TableClient.CreateQueryFilter($"{number}"),
                bool flag => TableClient.CreateQueryFilter($"{flag}"),
                DateTimeOffset time => TableClient.CreateQueryFilter($"{time}"),
                var other => throw new ArgumentException($"A {other.GetType().Name} cannot be compared in a filter.", nameof(comparison)),
            };
            return string.Create(CultureInfo.InvariantCulture, $"{TableFilter.CheckedName(comparison.Property)} {op} {value}");
        }
    }
}
