using System.Collections.Concurrent;
using System.Text.Json;
using BlocklistApi.Caching;
using BlocklistApi.Hosting;
using BlocklistApi.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Reputation;

/// <summary>
/// Zone answers per (zone, address): a short in-memory cache in front of the ReputationCache table (keys: see
/// <see cref="ReputationCacheKeys"/>; one range query in one partition reads every zone's answer for an address and
/// one batch writes them). "ok" answers are cached for their DNS TTL clamped to [MinimumTtl, MaximumTtl], failed ones
/// (timeout, error) for FailureTtl. Reads from the cache are noted for refresh-ahead (<see cref="ReputationCacheReads"/>)
/// without a storage write. The cache is an optimisation: each storage step waits at most
/// ReputationCache:StorageTimeout, and trouble is logged (once a minute) and answered from DNS.
/// <para>
/// Fresh answers are remembered in memory at once and written to the table behind the answer: the call that asked DNS
/// has its listings and does not wait for a write that only spares later calls (on another instance, or after the
/// memory TTL) their DNS queries. A read of an address waits for this instance's pending write of it; at most
/// <see cref="MaxPendingWrites"/> writes are pending (more are dropped, never queued without bound); a clean shutdown
/// writes what is pending.
/// </para>
/// </summary>
public sealed partial class ZoneAnswerCache(
    ITableStorage tables,
    ReputationCacheReads reads,
    IOptions<ReputationCacheOptions> options,
    TimeProvider timeProvider,
    ILogger<ZoneAnswerCache> logger) : IHostedService
{
    private readonly ReputationCacheOptions _options = options.Value;
    private readonly BoundedCache<(string Zone, string Ip), CachedAnswer> _memory = new(options.Value.MemoryMaxEntries, timeProvider);
    private readonly LogThrottle _readWarnings = new(timeProvider, TimeSpan.FromMinutes(1));
    private readonly LogThrottle _writeWarnings = new(timeProvider, TimeSpan.FromMinutes(1));
    private readonly ConcurrentDictionary<string, Task> _pending = new(StringComparer.Ordinal);
    private int _pendingCount;

    /// <summary>At most this many table writes wait behind answers; past it, fresh answers stay in memory only.</summary>
    internal const int MaxPendingWrites = 256;

    public bool Enabled => _options.Enabled;

    public bool TryGetFromMemory(string zone, string ip, out ZoneLookup lookup)
    {
        if (_memory.TryGet((zone, ip), out var cached))
        {
            lookup = cached.Lookup with { Ttl = cached.ExpiresAt - timeProvider.GetUtcNow() };
            NoteRead(ip, zone, cached);
            return true;
        }

        lookup = null!;
        return false;
    }

    /// <summary>
    /// Every unexpired cached answer for <paramref name="ip"/> (one partition query), warming memory with them; null
    /// when storage did not answer within ReputationCache:StorageTimeout.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, ZoneLookup>?> ReadAsync(string ip, CancellationToken cancellationToken)
    {
        using var budget = StorageBudget(cancellationToken);
        try
        {
            if (_pending.TryGetValue(ip, out var pending))
            {
                // This instance's own write for the address, still on its way: read after it.
                await pending.WaitAsync(budget.Token);
            }

            var rows = await tables.QueryAsync(_options.TableName, ReputationCacheKeys.AnswersOf(ip), budget.Token);
            var now = timeProvider.GetUtcNow();
            var found = new Dictionary<string, ZoneLookup>(StringComparer.Ordinal);
            foreach (var row in rows)
            {
                var expiresAt = row.GetDateTimeOffset("ExpiresAt") ?? DateTimeOffset.MinValue;
                if (expiresAt > now)
                {
                    var zone = ReputationCacheKeys.Parse(row.RowKey).Zone;
                    var status = Enum.TryParse<ZoneStatus>(row.GetString("Status"), ignoreCase: true, out var stored) ? stored : ZoneStatus.Ok;
                    var lookup = new ZoneLookup(status, ReadList(row, "Codes"), ReadList(row, "Meanings"), ReadList(row, "Reasons"), row.GetString("Error"), expiresAt - now);
                    var cached = new CachedAnswer(lookup, expiresAt);
                    found[zone] = lookup;
                    Remember(zone, ip, cached);
                    NoteRead(ip, zone, cached);
                }
            }

            return found;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && (StorageFailures.IsUnavailable(ex, cancellationToken) || StorageFailures.IsRejected(ex)))
        {
            if (_readWarnings.ShouldLog(out var suppressed))
            {
                Log.CacheReadFailed(logger, suppressed, ex);
            }

            return null;
        }
    }

    /// <summary>
    /// Stores fresh answers for <paramref name="ip"/> in memory at once ("ok" ones for their clamped TTL, failed ones for
    /// FailureTtl) and, in one batch, in the table behind the answer: the call that asked DNS does not wait for the
    /// cache (see the class remarks).
    /// </summary>
    public void WriteBehind(string ip, IReadOnlyList<(string Zone, ZoneLookup Lookup)> answers)
    {
        var actions = Prepare(ip, answers);
        if (actions.Count == 0)
        {
            return;
        }

        if (Interlocked.Increment(ref _pendingCount) > MaxPendingWrites)
        {
            // Storage is slower than the calls: drop this batch (the next call for the address asks DNS again).
            Interlocked.Decrement(ref _pendingCount);
            if (_writeWarnings.ShouldLog(out var suppressed))
            {
                Log.CacheWritesDropped(logger, MaxPendingWrites, suppressed);
            }

            return;
        }

        var write = WriteTableAsync(actions);
        _pending[ip] = write;
        _ = write.ContinueWith(
            done =>
            {
                _pending.TryRemove(new KeyValuePair<string, Task>(ip, done));
                Interlocked.Decrement(ref _pendingCount);
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A clean shutdown writes the pending batches (each within Storage:Timeout), so the next start finds them.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await DrainAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Cache rows only: the next calls ask DNS again.
        }
    }

    /// <summary>Waits for the table writes still pending.</summary>
    internal Task DrainAsync(CancellationToken cancellationToken) => Task.WhenAll(_pending.Values).WaitAsync(cancellationToken);

    // No call waits for this write, so it has no call's budget: Storage:Timeout bounds it (on the real clock, in
    // StorageHealth). A failure of any kind is logged once a minute and the batch is dropped.
    private async Task WriteTableAsync(List<TableBatchAction> actions)
    {
        try
        {
            await tables.SubmitBatchAsync(_options.TableName, actions, CancellationToken.None);
        }
        catch (Exception ex)
        {
            if (_writeWarnings.ShouldLog(out var suppressed))
            {
                Log.CacheWriteFailed(logger, suppressed, ex);
            }
        }
    }

    /// <summary>
    /// As <see cref="WriteBehind"/>, awaited, for the refresh timer: not cut short by a reputation call's storage budget (the
    /// port's Storage:Timeout bounds it), and a failure is the caller's to handle.
    /// </summary>
    internal async Task StoreAsync(string ip, IReadOnlyList<(string Zone, ZoneLookup Lookup)> answers, CancellationToken cancellationToken)
    {
        var actions = Prepare(ip, answers);
        if (actions.Count > 0)
        {
            await tables.SubmitBatchAsync(_options.TableName, actions, cancellationToken);
        }
    }

    // Remembers the answers in memory and returns the batch that stores them.
    private List<TableBatchAction> Prepare(string ip, IReadOnlyList<(string Zone, ZoneLookup Lookup)> answers)
    {
        var now = timeProvider.GetUtcNow();
        var actions = new List<TableBatchAction>(answers.Count);
        var shard = ReputationCacheKeys.ShardOf(ip);
        foreach (var (zone, lookup) in answers)
        {
            var ttl = lookup.Status == ZoneStatus.Ok ? Clamp(lookup.Ttl) : _options.FailureTtl;
            if (ttl <= TimeSpan.Zero)
            {
                continue;
            }

            Remember(zone, ip, new CachedAnswer(lookup with { Ttl = ttl }, now + ttl));
            actions.Add(new TableBatchAction(TableBatchKind.Upsert, new TableRow(shard, ReputationCacheKeys.RowKey(ip, zone))
            {
                ["Status"] = lookup.Status.ToString().ToLowerInvariant(),
                ["Codes"] = JsonSerializer.Serialize(lookup.Codes),
                ["Meanings"] = JsonSerializer.Serialize(lookup.Meanings),
                ["Reasons"] = JsonSerializer.Serialize(lookup.Reasons),
                ["Error"] = lookup.Error,
                ["ExpiresAt"] = now + ttl,
            }));
        }

        return actions;
    }

    internal TimeSpan Clamp(TimeSpan ttl) =>
        ttl < _options.MinimumTtl ? _options.MinimumTtl : ttl > _options.MaximumTtl ? _options.MaximumTtl : ttl;

    /// <summary>The caller's token, cut off after ReputationCache:StorageTimeout.</summary>
    internal Deadline StorageBudget(CancellationToken cancellationToken) => new(_options.StorageTimeout, timeProvider, cancellationToken);

    private void Remember(string zone, string ip, CachedAnswer cached)
    {
        var ttl = cached.ExpiresAt - timeProvider.GetUtcNow();
        _memory.Set((zone, ip), cached, ttl < _options.MemoryTtl ? ttl : _options.MemoryTtl);
    }

    // Only answers refresh-ahead can renew: failed ones are asked again when they expire anyway.
    private void NoteRead(string ip, string zone, CachedAnswer cached)
    {
        if (cached.Lookup.Status == ZoneStatus.Ok)
        {
            reads.Saw(ip, zone, cached.ExpiresAt);
        }
    }

    private static string[] ReadList(TableRow row, string name) =>
        row.GetString(name) is { Length: > 0 } json ? JsonSerializer.Deserialize<string[]>(json) ?? [] : [];

    private sealed record CachedAnswer(ZoneLookup Lookup, DateTimeOffset ExpiresAt);

    private static partial class Log
    {
        [LoggerMessage(1101, LogLevel.Warning, "Reputation cache could not be read in time; asking DNS ({Suppressed} more since the last warning)")]
        public static partial void CacheReadFailed(ILogger logger, int suppressed, Exception exception);

        [LoggerMessage(1102, LogLevel.Warning, "Reputation cache could not be written in time; answers dropped ({Suppressed} more since the last warning)")]
        public static partial void CacheWriteFailed(ILogger logger, int suppressed, Exception exception);

        [LoggerMessage(1103, LogLevel.Warning, "Reputation cache: {Pending} table writes are pending already; answers dropped ({Suppressed} more since the last warning)")]
        public static partial void CacheWritesDropped(ILogger logger, int pending, int suppressed);
    }
}
