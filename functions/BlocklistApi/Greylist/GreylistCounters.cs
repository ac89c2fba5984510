using BlocklistApi.Hosting;
using BlocklistApi.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Greylist;

/// <summary>
/// Greylisting statistics. Each instance counts in memory (no storage operation on the check path) and adds its counts
/// to the shared row ("stats", "totals") of the Greylist table with If-Match, retrying on a conflict, so concurrent
/// instances never overwrite each other's counts. Stored triplets and auto-whitelisted clients are kept as
/// created-minus-purged counts, because counting rows would mean reading the whole table.
/// </summary>
public sealed partial class GreylistCounters(GreylistStore store, TimeProvider timeProvider, ILogger<GreylistCounters> logger)
{
    private const int MaxFlushAttempts = 5;
    private static readonly GreylistReason[] s_reasons = Enum.GetValues<GreylistReason>();

    private readonly long[] _checks = new long[s_reasons.Length];
    private long _degraded;
    private long _tripletsCreated;
    private long _passes;
    private long _clientsWhitelisted;
    private long _tripletsPurged;
    private long _whitelistedClientsPurged;
    private long _lastPurgeTicks;

    internal void CountCheck(GreylistVerdict verdict)
    {
        Interlocked.Increment(ref _checks[(int)verdict.Reason]);
        if (verdict.Degraded)
        {
            Interlocked.Increment(ref _degraded);
        }
    }

    internal void CountTripletCreated() => Interlocked.Increment(ref _tripletsCreated);

    internal void CountPass() => Interlocked.Increment(ref _passes);

    internal void CountClientWhitelisted() => Interlocked.Increment(ref _clientsWhitelisted);

    internal void CountPurge(int triplets, int whitelistedClients, DateTimeOffset at)
    {
        Interlocked.Add(ref _tripletsPurged, triplets);
        Interlocked.Add(ref _whitelistedClientsPurged, whitelistedClients);
        Interlocked.Exchange(ref _lastPurgeTicks, at.UtcTicks);
    }

    /// <summary>
    /// Adds this instance's counts to the shared row; on failure they stay here for the next flush. Concurrent
    /// flushes need no lock: each takes its own deltas atomically, and the row's ETag orders their writes.
    /// </summary>
    internal async Task FlushAsync(CancellationToken cancellationToken)
    {
        var deltas = TakeDeltas();
        if (deltas.Count == 0)
        {
            return;
        }

        try
        {
            for (var attempt = 1; attempt <= MaxFlushAttempts; attempt++)
            {
                var now = timeProvider.GetUtcNow();
                var row = await store.GetStatsAsync(cancellationToken)
                    ?? new TableRow(GreylistStore.StatsPartition, GreylistStore.StatsRow) { ["Since"] = now };
                foreach (var (name, delta) in deltas)
                {
                    row[name] = name == LastPurgeAt ? new DateTimeOffset(delta, TimeSpan.Zero) : (row.GetInt64(name) ?? 0) + delta;
                }

                row["UpdatedAt"] = now;
                if (await store.WriteStatsAsync(row, cancellationToken) == WriteOutcome.Written)
                {
                    return;
                }
            }

            Log.FlushConflicts(logger, MaxFlushAttempts);
            Restore(deltas);
        }
        catch
        {
            Restore(deltas);
            throw;
        }
    }

    /// <summary>The shared counters, after adding this instance's.</summary>
    internal async Task<GreylistStats> ReadAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        var row = await store.GetStatsAsync(cancellationToken);
        long Get(string name) => row?.GetInt64(name) ?? 0;
        var checks = s_reasons.ToDictionary(ContractName, r => Get(CheckProperty(r)));
        return new GreylistStats(
            Triplets: Math.Max(0, Get(TripletsCreated) - Get(TripletsPurged)),
            Deferrals: Get(CheckProperty(GreylistReason.New)) + Get(CheckProperty(GreylistReason.TooEarly)),
            Passes: Get(Passes),
            AutoWhitelistedClients: Math.Max(0, Get(ClientsWhitelisted) - Get(WhitelistedClientsPurged)),
            Checks: checks,
            DegradedAnswers: Get(Degraded),
            PurgedTriplets: Get(TripletsPurged),
            LastPurgeAt: row?.GetDateTimeOffset(LastPurgeAt),
            Since: row?.GetDateTimeOffset("Since"),
            UpdatedAt: row?.GetDateTimeOffset("UpdatedAt"));
    }

    /// <summary>The contract string of a reason ("too-early").</summary>
    internal static string ContractName(GreylistReason reason) => reason switch
    {
        GreylistReason.New => "new",
        GreylistReason.TooEarly => "too-early",
        GreylistReason.Passed => "passed",
        GreylistReason.Known => "known",
        GreylistReason.Whitelisted => "whitelisted",
        GreylistReason.AutoWhitelisted => "auto-whitelisted",
        GreylistReason.Trusted => "trusted",
        GreylistReason.Blocklisted => "blocklisted",
        _ => reason.ToString(),
    };

    private const string TripletsCreated = "TripletsCreated";
    private const string TripletsPurged = "TripletsPurged";
    private const string Passes = "Passes";
    private const string ClientsWhitelisted = "ClientsWhitelisted";
    private const string WhitelistedClientsPurged = "WhitelistedClientsPurged";
    private const string Degraded = "Degraded";
    private const string LastPurgeAt = "LastPurgeAt";

    private static string CheckProperty(GreylistReason reason) => "Check" + reason;

    private List<KeyValuePair<string, long>> TakeDeltas()
    {
        var deltas = s_reasons.Select(r => KeyValuePair.Create(CheckProperty(r), Interlocked.Exchange(ref _checks[(int)r], 0))).ToList();
        deltas.Add(KeyValuePair.Create(Degraded, Interlocked.Exchange(ref _degraded, 0)));
        deltas.Add(KeyValuePair.Create(TripletsCreated, Interlocked.Exchange(ref _tripletsCreated, 0)));
        deltas.Add(KeyValuePair.Create(Passes, Interlocked.Exchange(ref _passes, 0)));
        deltas.Add(KeyValuePair.Create(ClientsWhitelisted, Interlocked.Exchange(ref _clientsWhitelisted, 0)));
        deltas.Add(KeyValuePair.Create(TripletsPurged, Interlocked.Exchange(ref _tripletsPurged, 0)));
        deltas.Add(KeyValuePair.Create(WhitelistedClientsPurged, Interlocked.Exchange(ref _whitelistedClientsPurged, 0)));
        deltas.Add(KeyValuePair.Create(LastPurgeAt, Interlocked.Exchange(ref _lastPurgeTicks, 0)));
        deltas.RemoveAll(d => d.Value == 0);
        return deltas;
    }

    private void Restore(List<KeyValuePair<string, long>> deltas)
    {
        foreach (var (name, delta) in deltas)
        {
            switch (name)
            {
                case Degraded: Interlocked.Add(ref _degraded, delta); break;
                case TripletsCreated: Interlocked.Add(ref _tripletsCreated, delta); break;
                case Passes: Interlocked.Add(ref _passes, delta); break;
                case ClientsWhitelisted: Interlocked.Add(ref _clientsWhitelisted, delta); break;
                case TripletsPurged: Interlocked.Add(ref _tripletsPurged, delta); break;
                case WhitelistedClientsPurged: Interlocked.Add(ref _whitelistedClientsPurged, delta); break;
                case LastPurgeAt: Interlocked.CompareExchange(ref _lastPurgeTicks, delta, 0); break;
                default:
                    var reason = s_reasons.First(r => CheckProperty(r) == name);
                    Interlocked.Add(ref _checks[(int)reason], delta);
                    break;
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(5011, LogLevel.Warning, "Greylist statistics were changed by other instances {Attempts} times in a row; will add ours on the next flush")]
        public static partial void FlushConflicts(ILogger logger, int attempts);
    }
}

/// <summary>
/// Adds this instance's greylisting counts to the shared statistics every Greylist:StatsFlushInterval, and once more
/// on shutdown. Nothing it meets can stop the host: a failed flush keeps the counts for the next one, and while
/// flushes keep failing the interval doubles (up to ten minutes) and the warning is written once a minute.
/// </summary>
internal sealed partial class GreylistStatsFlusher(
    GreylistCounters counters,
    IOptions<GreylistOptions> options,
    TimeProvider timeProvider,
    ILogger<GreylistStatsFlusher> logger) : BackgroundService
{
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromMinutes(10);
    private readonly LogThrottle _warnings = new(timeProvider, TimeSpan.FromMinutes(1));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.StatsFlushInterval;
        var wait = interval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(wait, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            wait = await FlushAsync(stoppingToken) ? interval : Backoff.Next(wait, interval, s_maxBackoff);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    private async Task<bool> FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await counters.FlushAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (!StorageFailures.IsCallerCancellation(ex, cancellationToken))
        {
            // Storage down, hung or answering nonsense, or a bug: never let it out of here (it would stop the host).
            if (_warnings.ShouldLog(out var suppressed))
            {
                Log.FlushFailed(logger, suppressed, ex);
            }

            return false;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(5012, LogLevel.Warning, "Greylist statistics could not be written; they are kept for the next flush ({Suppressed} more failures since the last warning)")]
        public static partial void FlushFailed(ILogger logger, int suppressed, Exception exception);
    }
}
