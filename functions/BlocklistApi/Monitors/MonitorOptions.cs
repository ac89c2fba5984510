using BlocklistApi.Hosting;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Monitors;

/// <summary>
/// Our own outbound addresses, watched on the block zones. Section <c>Monitors</c>. The timer's NCRONTAB schedule is
/// the setting <c>Monitors__Schedule</c> (default <c>0 */15 * * * *</c>), read by the trigger itself.
/// </summary>
public sealed class MonitorOptions
{
    public const string SectionName = "Monitors";

    /// <summary>The trigger's schedule setting (<c>Monitors__Schedule</c>).</summary>
    public const string ScheduleSetting = "%Monitors:Schedule%";

    /// <summary>How many addresses all monitored ranges may hold together. Default 1024.</summary>
    [SettingRange("Monitors:MaxAddresses", 1, 65_536)]
    public int MaxAddresses { get; set; } = 1024;

    /// <summary>The longest one run of the monitor timer may take; what is left waits for the next run. Default 00:05:00.</summary>
    [SettingRange("Monitors:RunTimeout", "00:00:01", "01:00:00")]
    public TimeSpan RunTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The table of monitored ranges and their listings. Default Monitors.</summary>
    public string TableName { get; set; } = "Monitors";
}

/// <summary>The ranges on <see cref="MonitorOptions"/>, checked by the options validation source generator.</summary>
[OptionsValidator]
public sealed partial class MonitorOptionsRanges : IValidateOptions<MonitorOptions>;
