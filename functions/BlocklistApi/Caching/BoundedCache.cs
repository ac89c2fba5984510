using System.Collections.Concurrent;

namespace BlocklistApi.Caching;

/// <summary>
/// A per-instance memory of values that expire, on the injected clock, holding at most a fixed number of entries.
/// When it is full, expired entries go first, then those closest to expiry, until a tenth of the room is free again:
/// it evicts what matters least instead of forgetting everything, and trims rarely. Thread-safe.
/// </summary>
public sealed class BoundedCache<TKey, TValue>
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Entry> _entries;
    private readonly TimeProvider _timeProvider;
    private int _count;
    private int _trimming;

    public BoundedCache(int maxEntries, TimeProvider timeProvider, IEqualityComparer<TKey>? comparer = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxEntries);
        MaxEntries = maxEntries;
        _timeProvider = timeProvider;
        _entries = new ConcurrentDictionary<TKey, Entry>(comparer);
    }

    /// <summary>The most entries kept; 0 keeps nothing.</summary>
    public int MaxEntries { get; }

    /// <summary>Entries held now, expired ones not yet evicted included.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The value stored for <paramref name="key"/>, unless it has expired.</summary>
    public bool TryGet(TKey key, out TValue value)
    {
        if (_entries.TryGetValue(key, out var entry) && entry.ExpiresAt > _timeProvider.GetUtcNow())
        {
            value = entry.Value;
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>Stores <paramref name="value"/> for <paramref name="timeToLive"/> from now; a zero or negative time stores nothing.</summary>
    public void Set(TKey key, TValue value, TimeSpan timeToLive)
    {
        if (timeToLive <= TimeSpan.Zero || MaxEntries == 0)
        {
            return;
        }

        var now = _timeProvider.GetUtcNow();
        if (Count >= MaxEntries)
        {
            Trim(now);
        }

        var entry = new Entry(value, now + timeToLive);
        if (_entries.TryAdd(key, entry))
        {
            Interlocked.Increment(ref _count);
        }
        else
        {
            _entries[key] = entry;
        }
    }

    public void Remove(TKey key)
    {
        if (_entries.TryRemove(key, out _))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    public void Clear()
    {
        foreach (var key in _entries.Keys)
        {
            Remove(key);
        }
    }

    // One caller trims while the others go on (they may overshoot the limit by a few entries for a moment).
    private void Trim(DateTimeOffset now)
    {
        if (Interlocked.Exchange(ref _trimming, 1) == 1)
        {
            return;
        }

        try
        {
            foreach (var (key, entry) in _entries)
            {
                if (entry.ExpiresAt <= now)
                {
                    Remove(key);
                }
            }

            var target = MaxEntries - Math.Max(1, MaxEntries / 10);
            var excess = Count - target;
            if (excess > 0)
            {
                foreach (var (key, _) in _entries.OrderBy(e => e.Value.ExpiresAt).Take(excess).ToList())
                {
                    Remove(key);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _trimming, 0);
        }
    }

    private sealed record Entry(TValue Value, DateTimeOffset ExpiresAt);
}
