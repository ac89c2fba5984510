using BlocklistApi.Net;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Dns;

/// <summary>The ranges on <see cref="DnsOptions"/>, checked by the options validation source generator.</summary>
[OptionsValidator]
internal sealed partial class DnsOptionsRanges : IValidateOptions<DnsOptions>;

/// <summary>Checks <see cref="DnsOptions"/> at start: its ranges, and that each server is host:port; messages name the setting.</summary>
public sealed class DnsOptionsValidator : IValidateOptions<DnsOptions>
{
    public ValidateOptionsResult Validate(string? name, DnsOptions options)
    {
        var result = new ValidateOptionsResultBuilder();
        result.AddResult(new DnsOptionsRanges().Validate(name, options));
        for (var i = 0; i < options.Servers.Count; i++)
        {
            if (!EndpointParser.TryParse(options.Servers[i], 53, out _, out var error))
            {
                result.AddError($"Dns:Servers:{i} {error}");
            }
        }

        return result.Build();
    }
}
