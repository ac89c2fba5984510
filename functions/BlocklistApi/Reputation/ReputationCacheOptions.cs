using BlocklistApi.Hosting;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Reputation;

/// <summary>Caching of zone answers per (zone, address). Section <c>ReputationCache</c>.</summary>
public sealed class ReputationCacheOptions
{
    public const string SectionName = "ReputationCache";

    /// <summary>Whether zone answers are cached (in Table Storage, with a short in-memory cache in front). Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The shortest time an answer is kept, whatever its DNS TTL. Default 00:01:00.</summary>
    [SettingRange("ReputationCache:MinimumTtl", "00:00:00", "7.00:00:00")]
    public TimeSpan MinimumTtl { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest time an answer is kept, whatever its DNS TTL. Default 01:00:00.</summary>
    [SettingRange("ReputationCache:MaximumTtl", "00:00:00", "7.00:00:00")]
    public TimeSpan MaximumTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long an answer stays in this instance's memory (never past its TTL). Default 00:00:30.</summary>
    [SettingRange("ReputationCache:MemoryTtl", "00:00:00", "1.00:00:00")]
    public TimeSpan MemoryTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many (zone, address) answers memory holds at most. Default 100000.</summary>
    [SettingRange("ReputationCache:MemoryMaxEntries", 0, 10_000_000)]
    public int MemoryMaxEntries { get; set; } = 100_000;

    /// <summary>
    /// How long a reputation call waits on storage for each step: the cache read, the cache write and the hosted
    /// lists' refresh. After that it goes on without the table cache and with the last hosted lists it has, and says
    /// <c>"degraded": true</c>. Default 00:00:00.500.
    /// </summary>
    [SettingRange("ReputationCache:StorageTimeout", "00:00:00.010", "00:00:30")]
    public TimeSpan StorageTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The table that holds cached answers. Default ReputationCache.</summary>
    public string TableName { get; set; } = "ReputationCache";
}

/// <summary>The ranges on <see cref="ReputationCacheOptions"/>, checked by the options validation source generator.</summary>
[OptionsValidator]
public sealed partial class ReputationCacheOptionsRanges : IValidateOptions<ReputationCacheOptions>;
