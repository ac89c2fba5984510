using BlocklistApi.Caching;
using Microsoft.Extensions.Time.Testing;

namespace BlocklistApi.Tests.Caching;

public sealed class BoundedCacheTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void TryGet_BeforeAndAtExpiry_HitsThenMisses()
    {
        var cache = new BoundedCache<string, int>(10, _time);
        cache.Set("a", 1, TimeSpan.FromSeconds(30));

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.True(cache.TryGet("a", out var value));
        Assert.Equal(1, value);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(cache.TryGet("a", out _));
    }

    [Fact]
    public void Set_ZeroTimeToLive_StoresNothing()
    {
        var cache = new BoundedCache<string, int>(10, _time);

        cache.Set("a", 1, TimeSpan.Zero);

        Assert.False(cache.TryGet("a", out _));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Set_SameKey_ReplacesWithoutCountingTwice()
    {
        var cache = new BoundedCache<string, int>(10, _time);

        cache.Set("a", 1, TimeSpan.FromMinutes(1));
        cache.Set("a", 2, TimeSpan.FromMinutes(1));

        Assert.True(cache.TryGet("a", out var value));
        Assert.Equal(2, value);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Set_WhenFull_EvictsExpiredFirstAndKeepsTheRest()
    {
        var cache = new BoundedCache<int, int>(10, _time);
        for (var i = 0; i < 5; i++)
        {
            cache.Set(i, i, TimeSpan.FromSeconds(10));
        }

        for (var i = 5; i < 10; i++)
        {
            cache.Set(i, i, TimeSpan.FromMinutes(10));
        }

        _time.Advance(TimeSpan.FromSeconds(10));
        cache.Set(10, 10, TimeSpan.FromMinutes(10));

        Assert.Equal(6, cache.Count);
        Assert.All(Enumerable.Range(5, 6), i => Assert.True(cache.TryGet(i, out _)));
    }

    [Fact]
    public void Set_WhenFullOfLiveEntries_EvictsThoseClosestToExpiryNotEverything()
    {
        var cache = new BoundedCache<int, int>(10, _time);
        for (var i = 0; i < 10; i++)
        {
            cache.Set(i, i, TimeSpan.FromMinutes(i + 1));
        }

        cache.Set(10, 10, TimeSpan.FromHours(1));

        // A tenth of the room is freed: the entry closest to expiry (key 0) goes, every other one stays.
        Assert.False(cache.TryGet(0, out _));
        Assert.All(Enumerable.Range(1, 10), i => Assert.True(cache.TryGet(i, out _)));
        Assert.Equal(10, cache.Count);
    }

    [Fact]
    public void MaxEntriesZero_KeepsNothing()
    {
        var cache = new BoundedCache<int, int>(0, _time);

        cache.Set(1, 1, TimeSpan.FromMinutes(1));

        Assert.False(cache.TryGet(1, out _));
    }

    [Fact]
    public void RemoveAndClear_ForgetEntriesAndTheirCount()
    {
        var cache = new BoundedCache<int, int>(10, _time);
        cache.Set(1, 1, TimeSpan.FromMinutes(1));
        cache.Set(2, 2, TimeSpan.FromMinutes(1));

        cache.Remove(1);
        Assert.False(cache.TryGet(1, out _));
        Assert.Equal(1, cache.Count);

        cache.Clear();
        Assert.Equal(0, cache.Count);
        Assert.False(cache.TryGet(2, out _));
    }
}
