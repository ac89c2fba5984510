using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace BlocklistApi.Hosting;

/// <summary>
/// [Range] for options, checked by the options validation source generator, whose failure names the setting as
/// configuration spells it: "Greylist:Ipv4PrefixLength must be from 0 to 32 (it is 33)." (The generator's own copy of
/// RangeAttribute ignores ErrorMessage, and its display name is the C# type's, not the setting's.)
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SettingRangeAttribute : RangeAttribute
{
    public SettingRangeAttribute(string setting, int minimum, int maximum)
        : base(minimum, maximum) => Setting = setting;

    public SettingRangeAttribute(string setting, double minimum, double maximum)
        : base(minimum, maximum) => Setting = setting;

    /// <summary>A TimeSpan range, limits written as constant TimeSpan text ("00:00:30", "1.00:00:00").</summary>
    public SettingRangeAttribute(string setting, string minimum, string maximum)
        : base(typeof(TimeSpan), minimum, maximum)
    {
        Setting = setting;
        ParseLimitsInInvariantCulture = true;
        ConvertValueInInvariantCulture = true;
    }

    /// <summary>The setting as configuration names it, e.g. <c>Greylist:Delay</c>.</summary>
    public string Setting { get; }

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        // double.NaN compares below every minimum, so it fails here too ("must be a number" in words a person reads).
        if (IsValid(value))
        {
            return ValidationResult.Success;
        }

        var from = MinimumIsExclusive ? $"more than {Minimum}" : $"from {Minimum}";
        var to = MaximumIsExclusive ? $"less than {Maximum}" : MinimumIsExclusive ? $"at most {Maximum}" : $"to {Maximum}";
        var joiner = MinimumIsExclusive || MaximumIsExclusive ? " and " : " ";
        var text = string.Create(CultureInfo.InvariantCulture, $"{Setting} must be {from}{joiner}{to} (it is {value}).");
        return new ValidationResult(text, validationContext.MemberName is { } member ? [member] : null);
    }
}
