using BlocklistApi.Net;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Diagnostics;

/// <summary>The ranges on <see cref="DiagnosticsOptions"/> and its banner section, checked by the options validation source generator.</summary>
[OptionsValidator]
internal sealed partial class DiagnosticsOptionsRanges : IValidateOptions<DiagnosticsOptions>;

/// <summary>Checks <see cref="DiagnosticsOptions"/> at start: its ranges and the rules across fields; messages name the setting.</summary>
public sealed class DiagnosticsOptionsValidator : IValidateOptions<DiagnosticsOptions>
{
    public ValidateOptionsResult Validate(string? name, DiagnosticsOptions options)
    {
        var result = new ValidateOptionsResultBuilder();
        var ranges = new DiagnosticsOptionsRanges().Validate(name, options);
        result.AddResult(ranges);
        if (options.MinimumTtl.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            result.AddError($"Diagnostics:MinimumTtl must be whole seconds, as DNS TTLs are (it is {options.MinimumTtl}).");
        }

        var banner = options.Banner;
        if (ranges.Succeeded && banner.ConnectTimeout + banner.GreetingTimeout >= options.Timeout)
        {
            result.AddError($"Diagnostics:Banner:ConnectTimeout plus Diagnostics:Banner:GreetingTimeout ({banner.ConnectTimeout + banner.GreetingTimeout}) must be less than Diagnostics:Timeout ({options.Timeout}), or the banner check could never finish.");
        }

        for (var i = 0; i < banner.AllowedNetworks.Count; i++)
        {
            if (!IpNetwork.TryParse(banner.AllowedNetworks[i], out _, out var error))
            {
                result.AddError($"Diagnostics:Banner:AllowedNetworks:{i} must be an address or CIDR range: {error}");
            }
        }

        return result.Build();
    }
}
