using System.Collections.Concurrent;
using BlocklistApi.Hosting;
using BlocklistApi.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Reputation;

/// <summary>
/// Which cached answers this instance read, for refresh-ahead, without a storage write per read: a read only notes
/// (address, zone, expiry) in memory, once per answer and life, and <see cref="FlushAsync"/> stores the notes as read
/// marks (see <see cref="ReputationCacheKeys"/>) in batches of up to 100 rows of one minute's partition, every
/// ReputationCache:ReadFlushInterval and before each refresh run. At most <see cref="MaxPending"/> notes wait; more
/// are dropped (those answers then simply expire).
/// </summary>
public sealed class ReputationCacheReads(ITableStorage tables, IOptions<ReputationCacheOptions> options, TimeProvider timeProvider) : IDisposable
{
    public const int MaxPending = 100_000;
    private const int MaxBatch = 100;
    private readonly string _tableName = options.Value.TableName;
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private ConcurrentDictionary<(string Ip, string Zone), DateTimeOffset> _pending = new();
    private int _pendingCount;

    // The expiry each answer was last noted with: an answer read again in the same life is not noted again.
    private readonly ConcurrentDictionary<(string Ip, string Zone), DateTimeOffset> _noted = new();

    /// <summary>Notes that the cached answer of <paramref name="zone"/> for <paramref name="ip"/>, expiring at <paramref name="expiresAt"/>, was read.</summary>
    public void Saw(string ip, string zone, DateTimeOffset expiresAt)
    {
        var key = (ip, zone);
        if (_noted.TryGetValue(key, out var noted) && noted == expiresAt)
        {
            return;
        }

        if (Interlocked.Increment(ref _pendingCount) > MaxPending)
        {
            Interlocked.Decrement(ref _pendingCount);
            return;
        }

        _noted[key] = expiresAt;
        if (!_pending.TryAdd(key, expiresAt))
        {
            _pending[key] = expiresAt;
            Interlocked.Decrement(ref _pendingCount);
        }
    }

    /// <summary>
    /// Stores the notes taken since the last flush; returns how many. Notes that could not be stored are dropped, and
    /// may be taken again. One flush at a time: when this returns, every note taken before the call is stored (or failed).
    /// </summary>
    public async Task<int> FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            return await StoreAsync(cancellationToken);
        }
        finally
        {
            _flushing.Release();
        }
    }

    private async Task<int> StoreAsync(CancellationToken cancellationToken)
    {
        var pending = Interlocked.Exchange(ref _pending, new ConcurrentDictionary<(string Ip, string Zone), DateTimeOffset>());
        Interlocked.Exchange(ref _pendingCount, 0);
        var now = timeProvider.GetUtcNow();
        Forget(now);
        var batches = pending
            .Where(p => p.Value > now)
            .GroupBy(p => ReputationCacheKeys.MarkPartition(p.Value))
            .SelectMany(partition => partition.Chunk(MaxBatch).Select(chunk => (Partition: partition.Key, Marks: chunk)))
            .ToList();
        var stored = 0;
        for (var i = 0; i < batches.Count; i++)
        {
            var (partition, marks) = batches[i];
            var actions = marks.Select(m => new TableBatchAction(TableBatchKind.Upsert, new TableRow(partition, ReputationCacheKeys.RowKey(m.Key.Ip, m.Key.Zone))
            {
                ["ExpiresAt"] = m.Value,
                ["ReadAt"] = now,
            })).ToList();
            try
            {
                await tables.SubmitBatchAsync(_tableName, actions, cancellationToken);
                stored += marks.Length;
            }
            catch
            {
                // These answers may be noted again at their next read; the failure goes to the caller.
                foreach (var mark in batches.Skip(i).SelectMany(b => b.Marks))
                {
                    _noted.TryRemove(mark.Key, out _);
                }

                throw;
            }
        }

        return stored;
    }

    public void Dispose() => _flushing.Dispose();

    // Notes of answers that have expired are of no more use; a full memory of notes is cleared (answers may be noted twice).
    private void Forget(DateTimeOffset now)
    {
        if (_noted.Count > MaxPending * 2)
        {
            _noted.Clear();
            return;
        }

        foreach (var (key, expiresAt) in _noted)
        {
            if (expiresAt <= now)
            {
                _noted.TryRemove(new KeyValuePair<(string, string), DateTimeOffset>(key, expiresAt));
            }
        }
    }
}

/// <summary>Flushes this instance's read notes every ReputationCache:ReadFlushInterval; failures are logged once a minute and retried with a backoff.</summary>
internal sealed partial class ReputationCacheReadFlusher(
    ReputationCacheReads reads,
    IOptions<ReputationCacheOptions> options,
    TimeProvider timeProvider,
    ILogger<ReputationCacheReadFlusher> logger) : BackgroundService
{
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromMinutes(5);
    private readonly LogThrottle _warnings = new(timeProvider, TimeSpan.FromMinutes(1));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        var interval = options.Value.ReadFlushInterval;
        var wait = interval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(wait, timeProvider, stoppingToken);
                await reads.FlushAsync(stoppingToken);
                wait = interval;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Storage down, hung or a bug: never out of here (it would stop the host).
                wait = Backoff.Next(wait, interval, s_maxBackoff);
                if (_warnings.ShouldLog(out var suppressed))
                {
                    Log.FlushFailed(logger, suppressed, ex);
                }
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1401, LogLevel.Warning, "Reads of the reputation cache could not be stored for refresh-ahead; those answers may expire instead of being refreshed ({Suppressed} more failures since the last warning)")]
        public static partial void FlushFailed(ILogger logger, int suppressed, Exception exception);
    }
}
