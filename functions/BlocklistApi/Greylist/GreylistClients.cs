using System.Collections.Concurrent;
using System.Net;
using BlocklistApi.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Greylist;

/// <summary>
/// Auto-whitelist bookkeeping per client address (postgrey's client database): reads the record through this
/// instance's memory, and writes a counted pass or a refresh with ETags, counting on top of another instance's pass.
/// <para>
/// <b>Written behind the answer.</b> A pass's count decides nothing about the check that made it (the triplet does),
/// so the check answers without waiting for it: one storage round trip less on every pass. What that costs and what
/// it keeps: a read of the same client on this instance waits for its pending write first (this instance always
/// sees its own counts); another instance sees the count when it is written (milliseconds later), which at worst
/// auto-whitelists a client one pass later there; ETags still order concurrent counts. Pending writes are bounded
/// (past <see cref="MaxPending"/> a check waits for its own write) and awaited on a clean shutdown, so no counted
/// pass is lost then; a crash loses at most the counts of the passes still pending, never a triplet.
/// </para>
/// </summary>
public sealed partial class GreylistClients(
    GreylistStore store,
    GreylistMemory memory,
    GreylistCounters counters,
    IOptions<GreylistOptions> options,
    TimeProvider timeProvider,
    ILogger<GreylistClients> logger) : IHostedService
{
    private const int MaxAttempts = 3;

    /// <summary>At most this many client writes wait behind answers; more and a check waits for its own.</summary>
    internal const int MaxPending = 1000;

    private readonly ConcurrentDictionary<string, Task> _pending = new(StringComparer.Ordinal);

    internal async Task<ClientRecord?> GetAsync(IPAddress client, CancellationToken cancellationToken)
    {
        var address = client.ToString();
        if (_pending.TryGetValue(address, out var pending))
        {
            // Read our own write: the client's count from a pass this instance answered a moment ago.
            await pending.WaitAsync(cancellationToken);
        }

        if (memory.TryGetClient(address, out var remembered))
        {
            return remembered;
        }

        var record = await store.GetClientAsync(address, cancellationToken);
        memory.RememberClient(address, record);
        return record;
    }

    /// <summary>
    /// Starts writing what the decision says, behind the answer (see the class remarks); the caller waits only when
    /// too many writes are pending. A failure only loses this pass's count.
    /// </summary>
    internal Task WriteBehindAsync(IPAddress client, ClientWrite? write)
    {
        if (write is null)
        {
            return Task.CompletedTask;
        }

        var address = client.ToString();
        var previous = _pending.GetValueOrDefault(address) ?? Task.CompletedTask;
        // After the previous write of this client, if any: its outcome (and ETag) is what this one builds on.
        var task = previous.ContinueWith(_ => WriteLoggedAsync(address, write), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
        _pending[address] = task;
        _ = task.ContinueWith(done => _pending.TryRemove(new KeyValuePair<string, Task>(address, done)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return _pending.Count > MaxPending ? task : Task.CompletedTask;
    }

    /// <summary>Waits for every pending write (a clean shutdown; tests that read the rows).</summary>
    internal Task DrainAsync(CancellationToken cancellationToken) => Task.WhenAll(_pending.Values).WaitAsync(cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Nothing counted is lost on a clean shutdown: pending writes finish (each within Storage:Timeout).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await DrainAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Log.PendingWritesAbandoned(logger, _pending.Count);
        }
    }

    // Storage failures are handled (and logged) inside; anything else is a bug, logged here: nobody awaits this answer.
    private async Task WriteLoggedAsync(string address, ClientWrite write)
    {
        try
        {
            await WriteAsync(address, write, CancellationToken.None);
        }
        catch (Exception ex)
        {
            Log.ClientWriteFailed(logger, address, ex);
        }
    }

    private async Task WriteAsync(string address, ClientWrite? write, CancellationToken cancellationToken)
    {
        try
        {
            for (var attempt = 1; write is not null && attempt <= MaxAttempts; attempt++)
            {
                var (outcome, record) = await store.WriteClientAsync(address, write, cancellationToken);
                if (outcome == WriteOutcome.Written)
                {
                    memory.RememberClient(address, record);
                    if (write.ReachesThreshold)
                    {
                        counters.CountClientWhitelisted();
                        Log.AutoWhitelisted(logger, address, record!.Passes);
                    }

                    return;
                }

                memory.ForgetClient(address);
                if (write.IsRefreshOnly)
                {
                    return;
                }

                // Another instance counted a pass for this client meanwhile: count ours on top (or not, within the hour).
                var current = await store.GetClientAsync(address, cancellationToken);
                memory.RememberClient(address, current);
                write = GreylistRules.CountPass(current, options.Value, timeProvider.GetUtcNow());
            }
        }
        // The token is the check's storage deadline: its cancellation is storage not answering in time, a failure to log.
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, CancellationToken.None) || StorageFailures.IsRejected(ex))
        {
            Log.ClientWriteFailed(logger, address, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(5004, LogLevel.Warning, "Greylist auto-whitelist count of client {ClientAddress} could not be written")]
        public static partial void ClientWriteFailed(ILogger logger, string clientAddress, Exception exception);

        [LoggerMessage(5005, LogLevel.Information, "Greylist client {ClientAddress} is auto-whitelisted after {Passes} passes")]
        public static partial void AutoWhitelisted(ILogger logger, string clientAddress, int passes);

        [LoggerMessage(5009, LogLevel.Warning, "Greylist shutdown: {Pending} auto-whitelist counts were still being written and are abandoned")]
        public static partial void PendingWritesAbandoned(ILogger logger, int pending);
    }
}
