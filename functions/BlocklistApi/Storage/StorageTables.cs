using System.Collections.Concurrent;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Storage;

/// <summary>Hands out <see cref="TableClient"/>s by logical name, creating each table once per process on first use.</summary>
/// <remarks>Tables are created lazily rather than at start so that a storage outage at boot does not stop the app from answering.</remarks>
public sealed class StorageTables(TableServiceClient service, IOptions<StorageOptions> options)
{
    private readonly ConcurrentDictionary<string, Task<TableClient>> _tables = new(StringComparer.Ordinal);

    public string Prefix { get; } = options.Value.NamePrefix;

    public async Task<TableClient> GetAsync(string name, CancellationToken cancellationToken)
    {
        var task = _tables.GetOrAdd(name, CreateAsync, cancellationToken);
        try
        {
            return await task.WaitAsync(cancellationToken);
        }
        catch
        {
            // A failed creation (storage down) is retried by the next caller.
            if (task.IsFaulted || task.IsCanceled)
            {
                _tables.TryRemove(new KeyValuePair<string, Task<TableClient>>(name, task));
            }

            throw;
        }
    }

    private async Task<TableClient> CreateAsync(string name, CancellationToken cancellationToken)
    {
        var client = service.GetTableClient(Prefix + name);
        await client.CreateIfNotExistsAsync(cancellationToken);
        return client;
    }
}
