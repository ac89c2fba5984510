using BlocklistApi.Hosting;

namespace BlocklistApi.Lists;

/// <summary>Our hosted block and allow lists. Section <c>Lists</c>.</summary>
public sealed class HostedListOptions
{
    public const string SectionName = "Lists";

    /// <summary>
    /// How often an instance asks storage whether another instance changed the lists (one point read). Changes made
    /// through this instance count at once; changes made elsewhere within this interval. Default 00:00:01.
    /// 00:00:00 asks on every reputation call.
    /// </summary>
    [SettingRange("Lists:RefreshInterval", "00:00:00", "00:10:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(1);
}
