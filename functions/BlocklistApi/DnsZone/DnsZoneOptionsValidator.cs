using BlocklistApi.Dns;
using BlocklistApi.Net;
using Microsoft.Extensions.Options;

namespace BlocklistApi.DnsZone;

/// <summary>Checks <see cref="DnsZoneOptions"/> at start; messages name the environment variables.</summary>
public sealed class DnsZoneOptionsValidator : IValidateOptions<DnsZoneOptions>
{
    public ValidateOptionsResult Validate(string? name, DnsZoneOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        if (!EndpointParser.TryParse(options.Listen, 0, out var endpoint, out var error) || endpoint.Port == 0)
        {
            errors.Add($"DnsZone__Listen must be address:port, e.g. 127.0.0.1:5353 or [::1]:5353 ({(endpoint.Port == 0 && error.Length == 0 ? $"'{options.Listen}' has no port" : error)}).");
        }

        if (!DnsNames.IsValidDomainName(options.Name))
        {
            errors.Add($"DnsZone__Name must be the zone's domain name, e.g. bl.example.net (it is '{options.Name}').");
        }

        if (!string.IsNullOrEmpty(options.AllowName))
        {
            if (!DnsNames.IsValidDomainName(options.AllowName))
            {
                errors.Add($"DnsZone__AllowName must be a domain name, e.g. wl.example.net (it is '{options.AllowName}').");
            }
            else if (DnsNames.IsValidDomainName(options.Name) && (IsWithin(options.AllowName, options.Name!) || IsWithin(options.Name!, options.AllowName)))
            {
                errors.Add($"DnsZone__AllowName ('{options.AllowName}') and DnsZone__Name ('{options.Name}') must be separate zones, neither inside the other.");
            }
        }

        if (!string.IsNullOrEmpty(options.NameServer) && !DnsNames.IsValidDomainName(options.NameServer))
        {
            errors.Add($"DnsZone__NameServer must be a host name (it is '{options.NameServer}').");
        }

        if (!string.IsNullOrEmpty(options.Hostmaster) && !DnsNames.IsValidDomainName(options.Hostmaster))
        {
            errors.Add($"DnsZone__Hostmaster must be a mailbox written as a name, e.g. hostmaster.example.net (it is '{options.Hostmaster}').");
        }

        AddIfOutside(errors, "DnsZone__Ttl", options.Ttl, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        AddIfOutside(errors, "DnsZone__NegativeTtl", options.NegativeTtl, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        AddIfOutside(errors, "DnsZone__Timeout", options.Timeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(30));
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsWithin(string name, string zone)
    {
        var n = name.TrimEnd('.');
        var z = zone.TrimEnd('.');
        return n.Equals(z, StringComparison.OrdinalIgnoreCase) || n.EndsWith("." + z, StringComparison.OrdinalIgnoreCase);
    }

    private static void AddIfOutside(List<string> errors, string setting, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{setting} must be from {min} to {max} (it is {value}).");
        }
    }
}
