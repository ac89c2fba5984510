using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Greylist;

/// <summary>Deletes triplets and clients past their age (see <see cref="GreylistStore"/> for why this stays cheap).</summary>
public sealed partial class GreylistPurge(
    GreylistStore store,
    GreylistCounters counters,
    GreylistMemory memory,
    IOptions<GreylistOptions> options,
    TimeProvider timeProvider,
    ILogger<GreylistPurge> logger)
{
    private const int Parallelism = 4;

    public async Task PurgeAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var triplets = 0;
        var clients = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(GreylistStore.PurgePartitions, parallel, async (partition, token) =>
        {
            var (purgedTriplets, purgedClients) = await store.PurgePartitionAsync(partition, options.Value, now, token);
            Interlocked.Add(ref triplets, purgedTriplets);
            Interlocked.Add(ref clients, purgedClients);
        });
        counters.CountPurge(triplets, clients, now);
        memory.Clear();
        Log.Purged(logger, triplets, clients);
        await counters.FlushAsync(cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(5006, LogLevel.Information, "Greylist purge deleted {Triplets} triplets and {WhitelistedClients} auto-whitelisted clients")]
        public static partial void Purged(ILogger logger, int triplets, int whitelistedClients);
    }
}
