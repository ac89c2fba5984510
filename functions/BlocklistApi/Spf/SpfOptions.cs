using BlocklistApi.Hosting;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Spf;

/// <summary>How SPF checks are made (RFC 7208). Section <c>Spf</c>.</summary>
public sealed class SpfOptions
{
    public const string SectionName = "Spf";

    /// <summary>
    /// Our host name, for the %{r} macro in explanations (RFC 7208 section 7.3). Default <c>unknown</c>, the word the
    /// RFC asks for when no name is to be given.
    /// </summary>
    public string Receiver { get; set; } = "unknown";

    /// <summary>
    /// The explanation of a fail when the domain publishes no usable exp= (section 6.2); macros are expanded as in exp=
    /// text. Default: "%{o} does not allow %{c} to send its mail (SPF)."
    /// </summary>
    public string DefaultExplanation { get; set; } = "%{o} does not allow %{c} to send its mail (SPF).";

    /// <summary>The longest one check may take before it gives temperror (section 4.6.4 asks for at least 20 s). Default 00:00:20.</summary>
    [SettingRange("Spf:Timeout", "00:00:00", "00:01:00", MinimumIsExclusive = true)]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How many lookups may find nothing (NXDOMAIN or no answer) before a permerror (section 4.6.4). Default 2, as the RFC recommends.</summary>
    [SettingRange("Spf:VoidLookupLimit", 0, 10)]
    public int VoidLookupLimit { get; set; } = 2;
}

/// <summary>The ranges on <see cref="SpfOptions"/>, checked by the options validation source generator.</summary>
[OptionsValidator]
public sealed partial class SpfOptionsRanges : IValidateOptions<SpfOptions>;
