using BlocklistApi.Net;
using BlocklistApi.Storage;
using BlocklistApi.Zones;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Reputation;

/// <summary>
/// One run of the cache refresh timer (keys and why: <see cref="ReputationCacheKeys"/>), three bounded steps:
/// <list type="number">
/// <item>Refresh-ahead: the read marks of the minutes up to ReputationCache:RefreshAhead from now name the answers
/// that were read during their life and expire soon; each is asked again (addresses concurrently, an address's zones
/// together) and stored for a new life, at most ReputationCache:RefreshBatch of them. A failed answer leaves the old
/// one to expire. Answers nobody read have no mark and expire.</item>
/// <item>Marks of minutes that have passed are deleted, whole partitions at a time, from where the last run stopped.</item>
/// <item>Expired answers are deleted: per shard one query filtered on ExpiresAt and batches of up to 100 deletes
/// with ETags (an answer refreshed meanwhile stays), from the shard where the last run stopped.</item>
/// </list>
/// Steps 2 and 3 delete at most ten times RefreshBatch rows together. The run is cut off by its budget
/// (<see cref="Hosting.TimerRuns"/>); everything it stored until then stays, and the next run goes on.
/// </summary>
public sealed partial class ReputationCacheRefresh(
    ITableStorage tables,
    ZoneAnswerCache cache,
    ReputationCacheReads reads,
    DnsblZones zones,
    DnsblResolver resolver,
    ZoneStates zoneStates,
    ZoneHealthService zoneHealth,
    IOptions<ReputationCacheOptions> options,
    TimeProvider timeProvider,
    ILogger<ReputationCacheRefresh> logger)
{
    private const int Parallelism = 16;
    private const int MaxMinutesCleanedPerRun = 120;
    private const int MaxBatch = 100;
    private const int MaxPage = 1000;
    private readonly ReputationCacheOptions _options = options.Value;

    public async Task<RefreshSummary> RunAsync(CancellationToken cancellationToken)
    {
        if (!_options.Enabled)
        {
            return new RefreshSummary(0, 0, 0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
        }

        var started = timeProvider.GetTimestamp();
        // This instance's reads count in this run (the others flush on their own).
        await reads.FlushAsync(cancellationToken);
        var now = timeProvider.GetUtcNow();
        var meta = await tables.GetAsync(_options.TableName, ReputationCacheKeys.MetaPartition, ReputationCacheKeys.RefreshRow, cancellationToken);
        var refreshed = await RefreshAheadAsync(now, cancellationToken);
        var refreshing = timeProvider.GetElapsedTime(started);

        var deleteBudget = _options.RefreshBatch * 10;
        var marksFrom = meta?.GetDateTimeOffset("MarksFrom") ?? ReputationCacheKeys.Minute(now - _options.MaximumTtl - _options.RefreshAhead);
        var (marksDeleted, nextMarksFrom) = await DeleteOldMarksAsync(marksFrom, now, deleteBudget, cancellationToken);
        var cleaning = timeProvider.GetElapsedTime(started) - refreshing;
        var purgeFrom = meta?.GetInt32("PurgeShard") ?? 0;
        var (answersDeleted, nextPurgeFrom) = await PurgeAsync(purgeFrom, now, deleteBudget - marksDeleted, cancellationToken);

        await tables.UpsertAsync(_options.TableName, new TableRow(ReputationCacheKeys.MetaPartition, ReputationCacheKeys.RefreshRow)
        {
            ["MarksFrom"] = nextMarksFrom,
            ["PurgeShard"] = nextPurgeFrom,
            ["LastRunAt"] = now,
        }, cancellationToken);
        var summary = new RefreshSummary(refreshed, answersDeleted, marksDeleted, refreshing, cleaning, timeProvider.GetElapsedTime(started) - refreshing - cleaning);
        Log.Ran(logger, summary.Refreshed, summary.AnswersDeleted, summary.MarksDeleted, summary.Refreshing.TotalMilliseconds, summary.Purging.TotalMilliseconds);
        return summary;
    }

    // Most urgent minute first, until RefreshBatch marks are handled. Handled marks are deleted, so asking the same
    // partition again returns the next ones; marks of answers that expire after RefreshAhead wait for a later run.
    private async Task<int> RefreshAheadAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var budget = _options.RefreshBatch;
        var refreshed = 0;
        var horizon = now + _options.RefreshAhead;
        for (var minute = ReputationCacheKeys.Minute(now); minute <= horizon && budget > 0; minute = minute.AddMinutes(1))
        {
            var partition = ReputationCacheKeys.MarkPartition(minute);
            while (budget > 0)
            {
                var take = Math.Min(budget, MaxPage);
                var rows = await tables.QueryAsync(_options.TableName, new TableQuery(partition) { Take = take }, cancellationToken);
                var handled = rows
                    .Select(row => (Row: row, Key: ReputationCacheKeys.Parse(row.RowKey), ExpiresAt: row.GetDateTimeOffset("ExpiresAt") ?? DateTimeOffset.MinValue))
                    .Where(m => m.ExpiresAt <= horizon)
                    .ToList();
                budget -= handled.Count;
                refreshed += await RefreshAsync(handled.Where(m => m.ExpiresAt > now).GroupBy(m => m.Key.Ip, m => m.Key.Zone), cancellationToken);
                await DeleteAsync(partition, handled.Select(m => m.Row).ToList(), withETags: false, cancellationToken);
                if (rows.Count < take || handled.Count < rows.Count)
                {
                    break;
                }
            }
        }

        return refreshed;
    }

    private async Task<int> RefreshAsync(IEnumerable<IGrouping<string, string>> addresses, CancellationToken cancellationToken)
    {
        var refreshed = 0;
        var byName = zones.All.ToDictionary(z => z.Name, StringComparer.Ordinal);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(addresses, parallel, async (marks, token) =>
        {
            if (IpAddressParser.ParseOrNull(marks.Key) is not { } address)
            {
                return;
            }

            var asked = marks.Distinct().Select(name => byName.GetValueOrDefault(name))
                .OfType<DnsblZone>()
                .Where(zone => !zoneStates.IsDisabled(zone.Name, out _))
                .ToList();
            var lookups = await Task.WhenAll(asked.Select(zone => resolver.LookupAsync(zone, address, token)));
            var answers = new List<(string Zone, ZoneLookup Lookup)>();
            for (var i = 0; i < asked.Count; i++)
            {
                zoneHealth.Report(asked[i], lookups[i]);
                if (lookups[i].Status == ZoneStatus.Ok)
                {
                    answers.Add((asked[i].Name, lookups[i]));
                }
            }

            if (answers.Count > 0)
            {
                await cache.StoreAsync(marks.Key, answers, token);
                Interlocked.Add(ref refreshed, answers.Count);
            }
        });
        return refreshed;
    }

    // Whole minutes that have passed, oldest first; the minute before this one is left to the next run, for marks
    // flushed late (at most ReadFlushInterval, itself at most a minute, after their answer expired).
    private async Task<(int Deleted, DateTimeOffset NextFrom)> DeleteOldMarksAsync(DateTimeOffset from, DateTimeOffset now, int budget, CancellationToken cancellationToken)
    {
        var deleted = 0;
        var end = ReputationCacheKeys.Minute(now).AddMinutes(-2);
        var minute = from;
        for (var visited = 0; minute <= end && visited < MaxMinutesCleanedPerRun; visited++)
        {
            var partition = ReputationCacheKeys.MarkPartition(minute);
            while (true)
            {
                var take = Math.Min(budget - deleted, MaxPage);
                if (take <= 0)
                {
                    return (deleted, minute);
                }

                var rows = await tables.QueryAsync(_options.TableName, new TableQuery(partition) { Take = take }, cancellationToken);
                var removed = await DeleteAsync(partition, rows, withETags: false, cancellationToken);
                deleted += removed;
                if (rows.Count < take || removed == 0)
                {
                    break;
                }
            }

            minute = minute.AddMinutes(1);
        }

        return (deleted, minute);
    }

    // Shards in turn from where the last run stopped; a shard is left when a query finds fewer expired rows than it
    // asked for, and the next run starts at the shard where the budget ran out.
    private async Task<(int Deleted, int NextShard)> PurgeAsync(int from, DateTimeOffset now, int budget, CancellationToken cancellationToken)
    {
        var deleted = 0;
        for (var visited = 0; visited < ReputationCacheKeys.Shards; visited++)
        {
            var index = (from + visited) % ReputationCacheKeys.Shards;
            var shard = ReputationCacheKeys.Shard(index);
            while (true)
            {
                var take = Math.Min(budget - deleted, MaxPage);
                if (take <= 0)
                {
                    return (deleted, index);
                }

                var expired = await tables.QueryAsync(_options.TableName, new TableQuery(shard) { Filter = TableFilter.LessThan("ExpiresAt", now), Take = take }, cancellationToken);
                var removed = await DeleteAsync(shard, expired, withETags: true, cancellationToken);
                deleted += removed;
                if (expired.Count < take || removed == 0)
                {
                    break;
                }
            }
        }

        return (deleted, from);
    }

    // One batch per 100 rows of the partition. With ETags a batch fails when a row changed meanwhile (an answer
    // refreshed since it was read): then its rows are deleted one by one, so that only the changed row stays.
    private async Task<int> DeleteAsync(string partition, IReadOnlyList<TableRow> rows, bool withETags, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var chunk in rows.Chunk(MaxBatch))
        {
            var actions = chunk.Select(r => new TableBatchAction(TableBatchKind.Delete, new TableRow(partition, r.RowKey), withETags ? r.ETag : null)).ToList();
            if (await tables.SubmitBatchAsync(_options.TableName, actions, cancellationToken))
            {
                deleted += chunk.Length;
                continue;
            }

            foreach (var row in chunk)
            {
                if (await tables.DeleteAsync(_options.TableName, partition, row.RowKey, withETags ? row.ETag : null, cancellationToken))
                {
                    deleted++;
                }
            }
        }

        return deleted;
    }

    private static partial class Log
    {
        [LoggerMessage(1402, LogLevel.Information, "Reputation cache refresh: {Refreshed} answers asked again before they expired ({RefreshMs} ms), {AnswersDeleted} expired answers ({PurgeMs} ms) and {MarksDeleted} old read marks deleted")]
        public static partial void Ran(ILogger logger, int refreshed, int answersDeleted, int marksDeleted, double refreshMs, double purgeMs);
    }
}

/// <summary>What one refresh run did, and how long each step took.</summary>
public sealed record RefreshSummary(int Refreshed, int AnswersDeleted, int MarksDeleted, TimeSpan Refreshing, TimeSpan Cleaning, TimeSpan Purging);
