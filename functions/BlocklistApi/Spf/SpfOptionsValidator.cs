using BlocklistApi.Dns;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Spf;

/// <summary>Checks <see cref="SpfOptions"/> at start; messages name the setting.</summary>
public sealed class SpfOptionsValidator : IValidateOptions<SpfOptions>
{
    public ValidateOptionsResult Validate(string? name, SpfOptions options)
    {
        var failures = new List<string>();
        if (options.Receiver != "unknown" && !DnsNames.IsValidDomainName(options.Receiver))
        {
            failures.Add($"Spf:Receiver must be our host name, such as mx.example.net, or 'unknown' (it is '{options.Receiver}').");
        }

        if (!SpfMacroString.TryParse(options.DefaultExplanation, SpfMacroSyntax.Explanation, out _, out var error))
        {
            failures.Add($"Spf:DefaultExplanation is not a valid explanation string: {error}");
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromMinutes(1))
        {
            failures.Add($"Spf:Timeout must be more than 0 and at most 00:01:00 (it is {options.Timeout}).");
        }

        if (options.VoidLookupLimit is < 0 or > 10)
        {
            failures.Add($"Spf:VoidLookupLimit must be from 0 to 10 (it is {options.VoidLookupLimit}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
