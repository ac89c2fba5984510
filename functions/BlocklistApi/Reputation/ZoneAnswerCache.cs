using System.Text.Json;
using Azure.Data.Tables;
using BlocklistApi.Caching;
using BlocklistApi.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Reputation;

/// <summary>
/// Zone answers per (zone, address): a short in-memory cache in front of the ReputationCache table.
/// Table keys: PartitionKey is the address, RowKey the zone name, so one partition query reads every zone's answer
/// for an address and one entity-group transaction writes them. Only status "ok" answers are cached, for their DNS TTL
/// clamped to [MinimumTtl, MaximumTtl]. The cache is an optimisation: storage trouble is logged and answered from DNS.
/// </summary>
public sealed partial class ZoneAnswerCache(
    StorageTables tables,
    IOptions<ReputationCacheOptions> options,
    TimeProvider timeProvider,
    ILogger<ZoneAnswerCache> logger)
{
    private readonly ReputationCacheOptions _options = options.Value;
    private readonly BoundedCache<(string Zone, string Ip), ZoneLookup> _memory = new(options.Value.MemoryMaxEntries, timeProvider);

    public bool Enabled => _options.Enabled;

    public bool TryGetFromMemory(string zone, string ip, out ZoneLookup lookup) => _memory.TryGet((zone, ip), out lookup);

    /// <summary>Reads every unexpired cached answer for <paramref name="ip"/> (one partition query) and warms memory with them.</summary>
    public async Task<IReadOnlyDictionary<string, ZoneLookup>> ReadAsync(string ip, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, ZoneLookup>(StringComparer.Ordinal);
        try
        {
            var table = await tables.GetAsync(_options.TableName, cancellationToken);
            var now = timeProvider.GetUtcNow();
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ip}");
            await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                var expiresAt = entity.GetDateTimeOffset("ExpiresAt") ?? DateTimeOffset.MinValue;
                if (expiresAt <= now)
                {
                    continue;
                }

                var lookup = new ZoneLookup(
                    ZoneStatus.Ok,
                    ReadList(entity, "Codes"),
                    ReadList(entity, "Meanings"),
                    ReadList(entity, "Reasons"),
                    null,
                    expiresAt - now);
                found[entity.RowKey] = lookup;
                Remember(entity.RowKey, ip, lookup);
            }
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            Log.CacheReadFailed(logger, ex);
        }

        return found;
    }

    /// <summary>Stores fresh "ok" answers for <paramref name="ip"/> in memory and, in one transaction, in the table.</summary>
    public async Task WriteAsync(string ip, IReadOnlyList<(string Zone, ZoneLookup Lookup)> answers, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var actions = new List<TableTransactionAction>(answers.Count);
        foreach (var (zone, lookup) in answers)
        {
            if (lookup.Status != ZoneStatus.Ok)
            {
                continue;
            }

            var ttl = Clamp(lookup.Ttl);
            Remember(zone, ip, lookup with { Ttl = ttl });
            actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(ip, zone)
            {
                ["Codes"] = JsonSerializer.Serialize(lookup.Codes),
                ["Meanings"] = JsonSerializer.Serialize(lookup.Meanings),
                ["Reasons"] = JsonSerializer.Serialize(lookup.Reasons),
                ["ExpiresAt"] = now + ttl,
            }));
        }

        if (actions.Count == 0)
        {
            return;
        }

        try
        {
            var table = await tables.GetAsync(_options.TableName, cancellationToken);
            await table.SubmitTransactionAsync(actions, cancellationToken);
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken) || ex is TableTransactionFailedException)
        {
            Log.CacheWriteFailed(logger, ex);
        }
    }

    internal TimeSpan Clamp(TimeSpan ttl) =>
        ttl < _options.MinimumTtl ? _options.MinimumTtl : ttl > _options.MaximumTtl ? _options.MaximumTtl : ttl;

    private void Remember(string zone, string ip, ZoneLookup lookup)
    {
        var memoryTtl = lookup.Ttl < _options.MemoryTtl ? lookup.Ttl : _options.MemoryTtl;
        _memory.Set((zone, ip), lookup, memoryTtl);
    }

    private static string[] ReadList(TableEntity entity, string name) =>
        entity.GetString(name) is { Length: > 0 } json ? JsonSerializer.Deserialize<string[]>(json) ?? [] : [];

    private static partial class Log
    {
        [LoggerMessage(1101, LogLevel.Warning, "Reputation cache could not be read; asking DNS")]
        public static partial void CacheReadFailed(ILogger logger, Exception exception);

        [LoggerMessage(1102, LogLevel.Warning, "Reputation cache could not be written")]
        public static partial void CacheWriteFailed(ILogger logger, Exception exception);
    }
}
