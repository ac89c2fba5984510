using System.Text.Json;
using BlocklistApi.Caching;
using BlocklistApi.Hosting;
using BlocklistApi.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Reputation;

/// <summary>
/// Zone answers per (zone, address): a short in-memory cache in front of the ReputationCache table.
/// Table keys: PartitionKey is the address, RowKey the zone name, so one partition query reads every zone's answer
/// for an address and one batch writes them. Only status "ok" answers are cached, for their DNS TTL clamped to
/// [MinimumTtl, MaximumTtl]. The cache is an optimisation: each storage step waits at most
/// ReputationCache:StorageTimeout, and trouble is logged (once a minute) and answered from DNS.
/// </summary>
public sealed partial class ZoneAnswerCache(
    ITableStorage tables,
    IOptions<ReputationCacheOptions> options,
    TimeProvider timeProvider,
    ILogger<ZoneAnswerCache> logger)
{
    private readonly ReputationCacheOptions _options = options.Value;
    private readonly BoundedCache<(string Zone, string Ip), ZoneLookup> _memory = new(options.Value.MemoryMaxEntries, timeProvider);
    private readonly LogThrottle _readWarnings = new(timeProvider, TimeSpan.FromMinutes(1));
    private readonly LogThrottle _writeWarnings = new(timeProvider, TimeSpan.FromMinutes(1));

    public bool Enabled => _options.Enabled;

    public bool TryGetFromMemory(string zone, string ip, out ZoneLookup lookup) => _memory.TryGet((zone, ip), out lookup);

    /// <summary>
    /// Every unexpired cached answer for <paramref name="ip"/> (one partition query), warming memory with them; null
    /// when storage did not answer within ReputationCache:StorageTimeout.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, ZoneLookup>?> ReadAsync(string ip, CancellationToken cancellationToken)
    {
        using var budget = StorageBudget(cancellationToken);
        try
        {
            var rows = await tables.QueryAsync(_options.TableName, new TableQuery(ip), budget.Token);
            var now = timeProvider.GetUtcNow();
            var found = new Dictionary<string, ZoneLookup>(StringComparer.Ordinal);
            foreach (var row in rows)
            {
                var expiresAt = row.GetDateTimeOffset("ExpiresAt") ?? DateTimeOffset.MinValue;
                if (expiresAt > now)
                {
                    var lookup = new ZoneLookup(ZoneStatus.Ok, ReadList(row, "Codes"), ReadList(row, "Meanings"), ReadList(row, "Reasons"), null, expiresAt - now);
                    found[row.RowKey] = lookup;
                    Remember(row.RowKey, ip, lookup);
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
    /// Stores fresh "ok" answers for <paramref name="ip"/> in memory and, in one batch, in the table; false when
    /// storage did not take them in time (they are dropped: the next call asks DNS again).
    /// </summary>
    public async Task<bool> WriteAsync(string ip, IReadOnlyList<(string Zone, ZoneLookup Lookup)> answers, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var actions = new List<TableBatchAction>(answers.Count);
        foreach (var (zone, lookup) in answers.Where(a => a.Lookup.Status == ZoneStatus.Ok))
        {
            var ttl = Clamp(lookup.Ttl);
            Remember(zone, ip, lookup with { Ttl = ttl });
            actions.Add(new TableBatchAction(TableBatchKind.Upsert, new TableRow(ip, zone)
            {
                ["Codes"] = JsonSerializer.Serialize(lookup.Codes),
                ["Meanings"] = JsonSerializer.Serialize(lookup.Meanings),
                ["Reasons"] = JsonSerializer.Serialize(lookup.Reasons),
                ["ExpiresAt"] = now + ttl,
            }));
        }

        if (actions.Count == 0)
        {
            return true;
        }

        using var budget = StorageBudget(cancellationToken);
        try
        {
            return await tables.SubmitBatchAsync(_options.TableName, actions, budget.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && (StorageFailures.IsUnavailable(ex, cancellationToken) || StorageFailures.IsRejected(ex)))
        {
            if (_writeWarnings.ShouldLog(out var suppressed))
            {
                Log.CacheWriteFailed(logger, suppressed, ex);
            }

            return false;
        }
    }

    internal TimeSpan Clamp(TimeSpan ttl) =>
        ttl < _options.MinimumTtl ? _options.MinimumTtl : ttl > _options.MaximumTtl ? _options.MaximumTtl : ttl;

    /// <summary>The caller's token, cut off after ReputationCache:StorageTimeout.</summary>
    internal Deadline StorageBudget(CancellationToken cancellationToken) => new(_options.StorageTimeout, timeProvider, cancellationToken);

    private void Remember(string zone, string ip, ZoneLookup lookup)
    {
        var memoryTtl = lookup.Ttl < _options.MemoryTtl ? lookup.Ttl : _options.MemoryTtl;
        _memory.Set((zone, ip), lookup, memoryTtl);
    }

    private static string[] ReadList(TableRow row, string name) =>
        row.GetString(name) is { Length: > 0 } json ? JsonSerializer.Deserialize<string[]>(json) ?? [] : [];

    private static partial class Log
    {
        [LoggerMessage(1101, LogLevel.Warning, "Reputation cache could not be read in time; asking DNS ({Suppressed} more since the last warning)")]
        public static partial void CacheReadFailed(ILogger logger, int suppressed, Exception exception);

        [LoggerMessage(1102, LogLevel.Warning, "Reputation cache could not be written in time; answers dropped ({Suppressed} more since the last warning)")]
        public static partial void CacheWriteFailed(ILogger logger, int suppressed, Exception exception);
    }
}
