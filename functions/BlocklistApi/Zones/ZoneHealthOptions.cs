using BlocklistApi.Hosting;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Zones;

/// <summary>
/// Zone health: the timer that probes every zone's RFC 5782 test points and takes broken zones out of reputation
/// calls. Section <c>ZoneHealth</c>. The timer's NCRONTAB schedule is the setting <c>ZoneHealth__Schedule</c>
/// (default <c>0 */2 * * * *</c>), read by the trigger itself.
/// </summary>
public sealed class ZoneHealthOptions
{
    public const string SectionName = "ZoneHealth";

    /// <summary>The trigger's schedule setting (<c>ZoneHealth__Schedule</c>).</summary>
    public const string ScheduleSetting = "%ZoneHealth:Schedule%";

    /// <summary>Bad probes or bad answers in a row that disable a zone (one makes it degraded). Default 3.</summary>
    [SettingRange("ZoneHealth:FailuresToDisable", 1, 1000)]
    public int FailuresToDisable { get; set; } = 3;

    /// <summary>Good probes in a row that enable a degraded or disabled zone again. Default 2.</summary>
    [SettingRange("ZoneHealth:PassesToEnable", 1, 1000)]
    public int PassesToEnable { get; set; } = 2;

    /// <summary>
    /// How often an instance re-reads the zones' states from storage (a change made by another instance counts here
    /// at most this much later); also the least time between two bad answers of real queries that count against a
    /// zone. Default 00:00:05.
    /// </summary>
    [SettingRange("ZoneHealth:RefreshInterval", "00:00:00", "00:10:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest one health run may take; what is left undone waits for the next run. Default 00:01:00.</summary>
    [SettingRange("ZoneHealth:RunTimeout", "00:00:01", "01:00:00")]
    public TimeSpan RunTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The table of zone states. Default ZoneStates.</summary>
    public string TableName { get; set; } = "ZoneStates";
}

/// <summary>The ranges on <see cref="ZoneHealthOptions"/>, checked by the options validation source generator.</summary>
[OptionsValidator]
public sealed partial class ZoneHealthOptionsRanges : IValidateOptions<ZoneHealthOptions>;
