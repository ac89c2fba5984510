using BlocklistApi.Hosting;
using BlocklistApi.Net;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Diagnostics;

/// <summary>Checks <see cref="DiagnosticsOptions"/> at start: its ranges and the rules across fields; messages name the setting.</summary>
public sealed class DiagnosticsOptionsValidator : SettingsValidator<DiagnosticsOptions, DiagnosticsOptionsRanges>
{
    protected override void AddRules(DiagnosticsOptions options, ValidateOptionsResultBuilder result)
    {
        if (options.MinimumTtl.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            result.AddError($"Diagnostics:MinimumTtl must be whole seconds, as DNS TTLs are (it is {options.MinimumTtl}).");
        }

        var banner = options.Banner;
        if (banner.ConnectTimeout + banner.GreetingTimeout >= options.Timeout)
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
    }
}
