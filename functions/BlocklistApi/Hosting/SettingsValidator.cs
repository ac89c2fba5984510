using Microsoft.Extensions.Options;

namespace BlocklistApi.Hosting;

/// <summary>
/// Options checked at start in two parts: the plain ranges on the properties (<see cref="SettingRangeAttribute"/>,
/// checked by the source-generated validator <typeparamref name="TRanges"/>), then the rules that a single attribute
/// cannot say (across fields, per list item, parsing), written by the subclass. Messages name the setting.
/// </summary>
public abstract class SettingsValidator<TOptions, TRanges> : IValidateOptions<TOptions>
    where TOptions : class
    where TRanges : IValidateOptions<TOptions>, new()
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var result = new ValidateOptionsResultBuilder();
        result.AddResult(new TRanges().Validate(name, options));
        AddRules(options, result);
        return result.Build();
    }

    /// <summary>Adds an error for each rule <paramref name="options"/> breaks.</summary>
    protected abstract void AddRules(TOptions options, ValidateOptionsResultBuilder result);
}
