using BlocklistApi.Hosting;
using BlocklistApi.Net;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Dns;

/// <summary>Checks <see cref="DnsOptions"/> at start: its ranges, and that each server is host:port; messages name the setting.</summary>
public sealed class DnsOptionsValidator : SettingsValidator<DnsOptions, DnsOptionsRanges>
{
    protected override void AddRules(DnsOptions options, ValidateOptionsResultBuilder result)
    {
        for (var i = 0; i < options.Servers.Count; i++)
        {
            if (!EndpointParser.TryParse(options.Servers[i], 53, out _, out var error))
            {
                result.AddError($"Dns:Servers:{i} {error}");
            }
        }
    }
}
