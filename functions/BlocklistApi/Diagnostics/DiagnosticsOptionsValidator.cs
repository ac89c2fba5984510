using BlocklistApi.Net;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Diagnostics;

/// <summary>Checks <see cref="DiagnosticsOptions"/> at start; messages name the setting.</summary>
public sealed class DiagnosticsOptionsValidator : IValidateOptions<DiagnosticsOptions>
{
    public ValidateOptionsResult Validate(string? name, DiagnosticsOptions options)
    {
        var failures = new List<string>();
        if (options.Timeout < TimeSpan.FromSeconds(1) || options.Timeout > TimeSpan.FromMinutes(1))
        {
            failures.Add($"Diagnostics:Timeout must be from 00:00:01 to 00:01:00 (it is {options.Timeout}).");
        }

        if (options.MinimumTtl < TimeSpan.Zero || options.MinimumTtl > TimeSpan.FromDays(7) || options.MinimumTtl.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            failures.Add($"Diagnostics:MinimumTtl must be whole seconds from 0 to 7.00:00:00 (it is {options.MinimumTtl}).");
        }

        if (options.MaxMxHosts is < 1 or > 20)
        {
            failures.Add($"Diagnostics:MaxMxHosts must be from 1 to 20 (it is {options.MaxMxHosts}).");
        }

        var banner = options.Banner;
        if (banner.Port is < 1 or > 65535)
        {
            failures.Add($"Diagnostics:Banner:Port must be from 1 to 65535 (it is {banner.Port}).");
        }

        if (banner.ConnectTimeout <= TimeSpan.Zero || banner.GreetingTimeout <= TimeSpan.Zero)
        {
            failures.Add("Diagnostics:Banner:ConnectTimeout and Diagnostics:Banner:GreetingTimeout must be more than 0.");
        }
        else if (banner.ConnectTimeout + banner.GreetingTimeout >= options.Timeout)
        {
            failures.Add($"Diagnostics:Banner:ConnectTimeout plus Diagnostics:Banner:GreetingTimeout ({banner.ConnectTimeout + banner.GreetingTimeout}) must be less than Diagnostics:Timeout ({options.Timeout}), or the banner check could never finish.");
        }

        for (var i = 0; i < banner.AllowedNetworks.Count; i++)
        {
            if (!IpNetwork.TryParse(banner.AllowedNetworks[i], out _, out var error))
            {
                failures.Add($"Diagnostics:Banner:AllowedNetworks:{i} must be an address or CIDR range: {error}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
