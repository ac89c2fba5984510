namespace BlocklistApi.Storage;

/// <summary>
/// Named leases in the Leases table (through <see cref="ITableStorage"/>), so that instances sharing a store run a
/// timer one at a time: two self-hosts on one store, or an overlap of Functions instances during a scale-out. A row
/// per lease ("lease", name) holds its owner (one id per process) and expiry; taking it is an insert, or a replace
/// with the ETag of an expired row (or of our own), so two instances that try at once cannot both win. The lease is
/// not given back after a run: it runs out by itself, which also keeps a second instance from running the same
/// occurrence after the first has finished. The owner renews it at its next run.
/// </summary>
public sealed class StorageLeases(ITableStorage tables, TimeProvider timeProvider)
{
    public const string TableName = "Leases";
    private const string Partition = "lease";

    /// <summary>This process's id as a lease owner.</summary>
    public string Owner { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Takes (or renews) the lease for <paramref name="duration"/>; false when another owner holds it.</summary>
    public async Task<bool> TryAcquireAsync(string name, TimeSpan duration, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var lease = new TableRow(Partition, name)
        {
            ["Owner"] = Owner,
            ["AcquiredAt"] = now,
            ["ExpiresAt"] = now + duration,
        };
        var current = await tables.GetAsync(TableName, Partition, name, cancellationToken);
        if (current is null)
        {
            return (await tables.InsertAsync(TableName, lease, cancellationToken)).Written;
        }

        var held = current.GetString("Owner") != Owner && current.GetDateTimeOffset("ExpiresAt") is { } expires && expires > now;
        return !held && (await tables.ReplaceAsync(TableName, lease, current.ETag!, cancellationToken)).Written;
    }
}
