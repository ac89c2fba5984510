using System.Diagnostics.CodeAnalysis;
using BlocklistApi.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Zones;

/// <summary>
/// This instance's copy of every zone's health, for the request path: reading it never waits on storage. When the
/// copy is older than ZoneHealth:RefreshInterval, the next reader starts one re-read in the background and goes on
/// with the copy it has; this instance's own judgements count at once. So all instances agree on a zone's state
/// within about RefreshInterval, and a storage outage leaves the last states in force (a zone with no state yet is
/// enabled).
/// </summary>
public sealed partial class ZoneStates(
    ZoneStateStore store,
    IOptions<ZoneHealthOptions> options,
    TimeProvider timeProvider,
    ILogger<ZoneStates> logger)
{
    private readonly TimeSpan _refreshInterval = options.Value.RefreshInterval;
    private readonly LogThrottle _warnings = new(timeProvider, TimeSpan.FromMinutes(1));
    private readonly Lock _lock = new();
    private Dictionary<string, ZoneHealthRecord> _records = new(StringComparer.Ordinal);
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;
    private int _refreshing;

    /// <summary>The zone's health as this instance knows it; null for a zone never judged (enabled).</summary>
    public ZoneHealthRecord? Get(string zone)
    {
        RefreshIfStale();
        lock (_lock)
        {
            return _records.GetValueOrDefault(zone);
        }
    }

    /// <summary>True when the zone is disabled: reputation calls neither ask nor count it.</summary>
    public bool IsDisabled(string zone, [NotNullWhen(true)] out ZoneHealthRecord? record)
    {
        record = Get(zone);
        return record is { State: ZoneState.Disabled };
    }

    /// <summary>Reads every state from storage now (bounded by Storage:Timeout); for timers and the zones API.</summary>
    public async Task<IReadOnlyDictionary<string, ZoneHealthRecord>> ReadAsync(CancellationToken cancellationToken)
    {
        var read = await store.ListAsync(cancellationToken);
        return Merge(read);
    }

    /// <summary>Takes a state this instance just wrote, so that it counts here at once.</summary>
    public void Remember(ZoneHealthRecord record)
    {
        lock (_lock)
        {
            if (!_records.TryGetValue(record.Zone, out var known) || known.UpdatedAt <= record.UpdatedAt)
            {
                _records = new Dictionary<string, ZoneHealthRecord>(_records, StringComparer.Ordinal) { [record.Zone] = record };
            }
        }
    }

    // A copy read from storage may be older than what this instance wrote meanwhile: per zone, the newer one wins.
    private Dictionary<string, ZoneHealthRecord> Merge(IReadOnlyList<ZoneHealthRecord> read)
    {
        lock (_lock)
        {
            var merged = new Dictionary<string, ZoneHealthRecord>(_records, StringComparer.Ordinal);
            foreach (var record in read)
            {
                if (!merged.TryGetValue(record.Zone, out var known) || known.UpdatedAt <= record.UpdatedAt)
                {
                    merged[record.Zone] = record;
                }
            }

            _records = merged;
            _readAt = timeProvider.GetUtcNow();
            return merged;
        }
    }

    private void RefreshIfStale()
    {
        DateTimeOffset readAt;
        lock (_lock)
        {
            readAt = _readAt;
        }

        if (timeProvider.GetUtcNow() - readAt < _refreshInterval || Interlocked.CompareExchange(ref _refreshing, 1, 0) != 0)
        {
            return;
        }

        // In the background: the caller is a reputation call and does not wait for storage.
        _ = Task.Run(RefreshAsync);
    }

    private async Task RefreshAsync()
    {
        try
        {
            await ReadAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            // Storage down or slow (the port bounds the read): keep the states we have, try again after the interval.
            lock (_lock)
            {
                _readAt = timeProvider.GetUtcNow();
            }

            if (_warnings.ShouldLog(out var suppressed))
            {
                Log.RefreshFailed(logger, suppressed, ex);
            }
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1301, LogLevel.Warning, "Zone states could not be read from storage; the last ones this instance knows stay in force ({Suppressed} more since the last warning)")]
        public static partial void RefreshFailed(ILogger logger, int suppressed, Exception exception);
    }
}
