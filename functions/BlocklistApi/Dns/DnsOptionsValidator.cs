using BlocklistApi.Net;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Dns;

/// <summary>Checks <see cref="DnsOptions"/> at start; messages name the setting.</summary>
public sealed class DnsOptionsValidator : IValidateOptions<DnsOptions>
{
    public ValidateOptionsResult Validate(string? name, DnsOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.Servers.Count; i++)
        {
            if (!EndpointParser.TryParse(options.Servers[i], 53, out _, out var error))
            {
                failures.Add($"Dns:Servers:{i} {error}");
            }
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromSeconds(30))
        {
            failures.Add($"Dns:Timeout must be more than 0 and at most 00:00:30 (it is {options.Timeout}).");
        }

        if (options.Retries is < 0 or > 5)
        {
            failures.Add($"Dns:Retries must be from 0 to 5 (it is {options.Retries}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
