using BlocklistApi.Dns;
using BlocklistApi.Storage;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Greylist;

/// <summary>Checks <see cref="GreylistOptions"/> at start, including the cross-field rules; messages name the setting.</summary>
public sealed class GreylistOptionsValidator : IValidateOptions<GreylistOptions>
{
    public ValidateOptionsResult Validate(string? name, GreylistOptions options)
    {
        var failures = new List<string>();
        if (options.Delay < TimeSpan.Zero || options.Delay > TimeSpan.FromDays(1))
        {
            failures.Add($"Greylist:Delay must be from 00:00:00 to 1.00:00:00 (it is {options.Delay}).");
        }

        if (options.RetryWindow <= options.Delay)
        {
            failures.Add($"Greylist:RetryWindow ({options.RetryWindow}) must be longer than Greylist:Delay ({options.Delay}), or no retry could ever pass.");
        }

        if (options.MaxAge <= options.RetryWindow)
        {
            failures.Add($"Greylist:MaxAge ({options.MaxAge}) must be longer than Greylist:RetryWindow ({options.RetryWindow}).");
        }

        if (options.Ipv4PrefixLength is < 0 or > 32)
        {
            failures.Add($"Greylist:Ipv4PrefixLength must be from 0 to 32 (it is {options.Ipv4PrefixLength}).");
        }

        if (options.Ipv6PrefixLength is < 0 or > 128)
        {
            failures.Add($"Greylist:Ipv6PrefixLength must be from 0 to 128 (it is {options.Ipv6PrefixLength}).");
        }

        if (options.AutoWhitelistAfter is < 0 or > 1000)
        {
            failures.Add($"Greylist:AutoWhitelistAfter must be from 0 (off) to 1000 (it is {options.AutoWhitelistAfter}).");
        }

        if (!Enum.IsDefined(options.Mode))
        {
            failures.Add("Greylist:Mode must be 'all' or 'suspicious'.");
        }

        if (!Enum.IsDefined(options.FailMode))
        {
            failures.Add("Greylist:FailMode must be 'accept' or 'defer'.");
        }

        if (!double.IsFinite(options.SuspiciousScoreThreshold))
        {
            failures.Add("Greylist:SuspiciousScoreThreshold must be a number.");
        }

        if (!double.IsFinite(options.BlocklistRejectScore))
        {
            failures.Add("Greylist:BlocklistRejectScore must be a number.");
        }

        if (options.StorageTimeout <= TimeSpan.Zero || options.StorageTimeout > TimeSpan.FromSeconds(60))
        {
            failures.Add($"Greylist:StorageTimeout must be more than 0 and at most 00:01:00 (it is {options.StorageTimeout}).");
        }

        if (options.RefreshInterval <= TimeSpan.Zero || options.RefreshInterval > options.MaxAge / 2)
        {
            failures.Add($"Greylist:RefreshInterval must be more than 0 and at most half of Greylist:MaxAge ({options.MaxAge}) (it is {options.RefreshInterval}).");
        }

        if (options.KnownTripletCacheTtl < TimeSpan.Zero || options.KnownTripletCacheTtl > TimeSpan.FromHours(1))
        {
            failures.Add($"Greylist:KnownTripletCacheTtl must be from 00:00:00 to 01:00:00 (it is {options.KnownTripletCacheTtl}).");
        }

        if (options.ClientCacheTtl < TimeSpan.Zero || options.ClientCacheTtl > TimeSpan.FromHours(1))
        {
            failures.Add($"Greylist:ClientCacheTtl must be from 00:00:00 to 01:00:00 (it is {options.ClientCacheTtl}).");
        }

        if (options.SpfTimeout <= TimeSpan.Zero || options.SpfTimeout > TimeSpan.FromSeconds(30))
        {
            failures.Add($"Greylist:SpfTimeout must be more than 00:00:00 and at most 00:00:30 (it is {options.SpfTimeout}).");
        }

        if (options.StatsFlushInterval < TimeSpan.FromSeconds(1))
        {
            failures.Add($"Greylist:StatsFlushInterval must be at least 00:00:01 (it is {options.StatsFlushInterval}).");
        }

        if (!StorageNames.IsValidTableName(options.TableName))
        {
            failures.Add($"Greylist:TableName '{options.TableName}' {StorageNames.TableNameRule}");
        }

        if (options.WhitelistRecipients is { } recipients)
        {
            for (var i = 0; i < recipients.Count; i++)
            {
                if (!string.IsNullOrWhiteSpace(recipients[i]) && !GreylistScreening.IsValidRecipientPattern(recipients[i]))
                {
                    failures.Add($"Greylist:WhitelistRecipients:{i} '{recipients[i]}' must be user@domain, user@ or domain (regular expressions are not supported).");
                }
            }
        }

        for (var i = 0; i < options.WhitelistClients.Count; i++)
        {
            if (!DnsNames.IsValidDomainName(options.WhitelistClients[i]))
            {
                failures.Add($"Greylist:WhitelistClients:{i} '{options.WhitelistClients[i]}' must be a host or domain name such as mail.example.com or example.com.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
