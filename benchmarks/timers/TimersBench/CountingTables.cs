using BlocklistApi.Storage;

namespace TimersBench;

/// <summary>Counts the operations the timers make through the table port (a measurement wrapper around the real provider).</summary>
internal sealed class CountingTables(ITableStorage inner) : ITableStorage
{
    private long _reads;
    private long _writes;

    public (long Reads, long Writes) Take() => (Interlocked.Exchange(ref _reads, 0), Interlocked.Exchange(ref _writes, 0));

    public Task<TableRow?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken) =>
        Count(ref _reads, inner.GetAsync(table, partitionKey, rowKey, cancellationToken));

    public Task<IReadOnlyList<TableRow>> QueryAsync(string table, TableQuery query, CancellationToken cancellationToken) =>
        Count(ref _reads, inner.QueryAsync(table, query, cancellationToken));

    public Task<TableWrite> InsertAsync(string table, TableRow row, CancellationToken cancellationToken) =>
        Count(ref _writes, inner.InsertAsync(table, row, cancellationToken));

    public Task<TableWrite> ReplaceAsync(string table, TableRow row, string ifMatch, CancellationToken cancellationToken) =>
        Count(ref _writes, inner.ReplaceAsync(table, row, ifMatch, cancellationToken));

    public Task<TableWrite> UpsertAsync(string table, TableRow row, CancellationToken cancellationToken) =>
        Count(ref _writes, inner.UpsertAsync(table, row, cancellationToken));

    public Task<bool> DeleteAsync(string table, string partitionKey, string rowKey, string? ifMatch, CancellationToken cancellationToken) =>
        Count(ref _writes, inner.DeleteAsync(table, partitionKey, rowKey, ifMatch, cancellationToken));

    public Task<bool> SubmitBatchAsync(string table, IReadOnlyList<TableBatchAction> actions, CancellationToken cancellationToken) =>
        Count(ref _writes, inner.SubmitBatchAsync(table, actions, cancellationToken));

    private static Task<T> Count<T>(ref long counter, Task<T> operation)
    {
        Interlocked.Increment(ref counter);
#pragma warning disable VSTHRD003 // The provider's own task, started by the call just made.
        return operation;
#pragma warning restore VSTHRD003
    }
}
