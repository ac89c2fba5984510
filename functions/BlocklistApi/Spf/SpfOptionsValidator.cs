using BlocklistApi.Dns;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Spf;

/// <summary>The ranges on <see cref="SpfOptions"/>, checked by the options validation source generator.</summary>
[OptionsValidator]
internal sealed partial class SpfOptionsRanges : IValidateOptions<SpfOptions>;

/// <summary>Checks <see cref="SpfOptions"/> at start: its ranges, the receiver name and the default explanation; messages name the setting.</summary>
public sealed class SpfOptionsValidator : IValidateOptions<SpfOptions>
{
    public ValidateOptionsResult Validate(string? name, SpfOptions options)
    {
        var result = new ValidateOptionsResultBuilder();
        result.AddResult(new SpfOptionsRanges().Validate(name, options));
        if (options.Receiver != "unknown" && !DnsNames.IsValidDomainName(options.Receiver))
        {
            result.AddError($"Spf:Receiver must be our host name, such as mx.example.net, or 'unknown' (it is '{options.Receiver}').");
        }

        if (!SpfMacroString.TryParse(options.DefaultExplanation, SpfMacroSyntax.Explanation, out _, out var error))
        {
            result.AddError($"Spf:DefaultExplanation is not a valid explanation string: {error}");
        }

        return result.Build();
    }
}
