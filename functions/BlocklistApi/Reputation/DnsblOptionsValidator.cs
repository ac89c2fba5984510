using BlocklistApi.Dns;
using BlocklistApi.Net;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Reputation;

/// <summary>Checks <see cref="DnsblOptions"/> at start; messages name the setting (Dnsbl:Zones:N:...).</summary>
public sealed class DnsblOptionsValidator : IValidateOptions<DnsblOptions>
{
    public ValidateOptionsResult Validate(string? name, DnsblOptions options)
    {
        var failures = new List<string>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Zones.Count; i++)
        {
            var zone = options.Zones[i];
            var key = $"Dnsbl:Zones:{i}";
            if (!DnsNames.IsValidDomainName(zone.Zone))
            {
                failures.Add($"{key}:Zone must be a DNS zone name such as zen.spamhaus.org (it is '{zone.Zone}').");
                continue;
            }

            if (!Enum.IsDefined(zone.Kind))
            {
                failures.Add($"{key}:Kind must be 'block' or 'allow'.");
            }

            if (!double.IsFinite(zone.Weight) || zone.Weight < 0 || zone.Weight > 1000)
            {
                failures.Add($"{key}:Weight must be from 0 to 1000 (it is {zone.Weight}).");
            }

            if (zone.Timeout is { } timeout && (timeout <= TimeSpan.Zero || timeout > TimeSpan.FromSeconds(30)))
            {
                failures.Add($"{key}:Timeout must be more than 0 and at most 00:00:30 (it is {timeout}).");
            }

            if (zone.DelistUrl is { Length: > 0 } url
                && (!Uri.TryCreate(url.Replace("{ip}", "192.0.2.1", StringComparison.Ordinal), UriKind.Absolute, out var uri)
                    || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)))
            {
                failures.Add($"{key}:DelistUrl must be an absolute http(s) URL, with {{ip}} where the address goes.");
            }

            for (var s = 0; s < zone.Servers.Count; s++)
            {
                if (!EndpointParser.TryParse(zone.Servers[s], 53, out _, out var error))
                {
                    failures.Add($"{key}:Servers:{s} {error}");
                }
            }

            var display = DnsblZone.DisplayNameOf(zone);
            if (!names.Add(display))
            {
                failures.Add($"{key}:Zone '{display}' is configured twice; give one of them a different Name.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
