namespace BlocklistApi.Storage;

/// <summary>How a conditional write went: written (with the row's new version), or not because of a conflict.</summary>
public readonly record struct TableWrite(bool Written, string? ETag)
{
    public static TableWrite Conflict { get; } = new(false, null);
}

/// <summary>What one action of a one-partition batch does.</summary>
public enum TableBatchKind
{
    /// <summary>Insert or replace the whole row.</summary>
    Upsert,
    /// <summary>Delete the row if its version is still <see cref="TableBatchAction.IfMatch"/> (or whatever it is, when null).</summary>
    Delete,
}

/// <summary>One action of <see cref="ITableStorage.SubmitBatchAsync"/>.</summary>
public sealed record TableBatchAction(TableBatchKind Kind, TableRow Row, string? IfMatch = null);

/// <summary>
/// The table port: what the stores need, and no more. Two providers implement it (Azure Table Storage, SQLite) with
/// the same semantics; the stores and services never know which one runs. Every operation is bounded by
/// Storage:Timeout (retries included) and by the caller's token; a storage that is down, hangs or throttles throws an
/// exception that <see cref="StorageFailures.IsUnavailable"/> recognises. Table names are logical (the provider adds
/// Storage:NamePrefix) and tables are created on first use.
/// </summary>
public interface ITableStorage
{
    /// <summary>A point read; null when the row does not exist.</summary>
    Task<TableRow?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken);

    /// <summary>The rows the query selects, in key order.</summary>
    Task<IReadOnlyList<TableRow>> QueryAsync(string table, TableQuery query, CancellationToken cancellationToken);

    /// <summary>Inserts the row; a conflict when a row with its keys exists.</summary>
    Task<TableWrite> InsertAsync(string table, TableRow row, CancellationToken cancellationToken);

    /// <summary>Replaces the row if its version is still <paramref name="ifMatch"/>; a conflict when it changed or vanished.</summary>
    Task<TableWrite> ReplaceAsync(string table, TableRow row, string ifMatch, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces the row, whatever is stored.</summary>
    Task<TableWrite> UpsertAsync(string table, TableRow row, CancellationToken cancellationToken);

    /// <summary>Deletes the row if its version is <paramref name="ifMatch"/> (any version when null); false when it was not there or changed.</summary>
    Task<bool> DeleteAsync(string table, string partitionKey, string rowKey, string? ifMatch, CancellationToken cancellationToken);

    /// <summary>
    /// Up to 100 actions on rows of one partition, all or nothing; false (and nothing changed) when a conditional
    /// delete's row changed or vanished.
    /// </summary>
    Task<bool> SubmitBatchAsync(string table, IReadOnlyList<TableBatchAction> actions, CancellationToken cancellationToken);
}
