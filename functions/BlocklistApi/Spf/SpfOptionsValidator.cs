using BlocklistApi.Dns;
using BlocklistApi.Hosting;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Spf;

/// <summary>Checks <see cref="SpfOptions"/> at start: its ranges, the receiver name and the default explanation; messages name the setting.</summary>
public sealed class SpfOptionsValidator : SettingsValidator<SpfOptions, SpfOptionsRanges>
{
    protected override void AddRules(SpfOptions options, ValidateOptionsResultBuilder result)
    {
        if (options.Receiver != "unknown" && !DnsNames.IsValidDomainName(options.Receiver))
        {
            result.AddError($"Spf:Receiver must be our host name, such as mx.example.net, or 'unknown' (it is '{options.Receiver}').");
        }

        if (!SpfMacroString.TryParse(options.DefaultExplanation, SpfMacroSyntax.Explanation, out _, out var error))
        {
            result.AddError($"Spf:DefaultExplanation is not a valid explanation string: {error}");
        }
    }
}
