using System.Net;
using BlocklistApi.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Greylist;

/// <summary>
/// Auto-whitelist bookkeeping per client address (postgrey's client database): reads the record through this
/// instance's memory, and writes a counted pass or a refresh with ETags, counting on top of another instance's pass.
/// </summary>
public sealed partial class GreylistClients(
    GreylistStore store,
    GreylistMemory memory,
    GreylistCounters counters,
    IOptions<GreylistOptions> options,
    TimeProvider timeProvider,
    ILogger<GreylistClients> logger)
{
    private const int MaxAttempts = 3;

    internal async Task<ClientRecord?> GetAsync(IPAddress client, CancellationToken cancellationToken)
    {
        var address = client.ToString();
        if (memory.TryGetClient(address, out var remembered))
        {
            return remembered;
        }

        var record = await store.GetClientAsync(address, cancellationToken);
        memory.RememberClient(address, record);
        return record;
    }

    /// <summary>Writes what the decision says; a failure only loses this pass's count (the triplet decides the check).</summary>
    internal async Task WriteAsync(IPAddress client, ClientWrite? write, CancellationToken cancellationToken)
    {
        var address = client.ToString();
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
    }
}
