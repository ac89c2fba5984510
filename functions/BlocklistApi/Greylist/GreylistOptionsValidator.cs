using BlocklistApi.Dns;
using BlocklistApi.Hosting;
using BlocklistApi.Storage;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Greylist;

/// <summary>Checks <see cref="GreylistOptions"/> at start: its ranges, the rules across fields and the whitelists; messages name the setting.</summary>
public sealed class GreylistOptionsValidator : SettingsValidator<GreylistOptions, GreylistOptionsRanges>
{
    protected override void AddRules(GreylistOptions options, ValidateOptionsResultBuilder result)
    {
        if (options.RetryWindow <= options.Delay)
        {
            result.AddError($"Greylist:RetryWindow ({options.RetryWindow}) must be longer than Greylist:Delay ({options.Delay}), or no retry could ever pass.");
        }

        if (options.MaxAge <= options.RetryWindow)
        {
            result.AddError($"Greylist:MaxAge ({options.MaxAge}) must be longer than Greylist:RetryWindow ({options.RetryWindow}).");
        }

        if (options.RefreshInterval <= TimeSpan.Zero || options.RefreshInterval > options.MaxAge / 2)
        {
            result.AddError($"Greylist:RefreshInterval must be more than 0 and at most half of Greylist:MaxAge ({options.MaxAge}) (it is {options.RefreshInterval}).");
        }

        if (!StorageNames.IsValidTableName(options.TableName))
        {
            result.AddError($"Greylist:TableName '{options.TableName}' {StorageNames.TableNameRule}");
        }

        if (options.WhitelistRecipients is { } recipients)
        {
            for (var i = 0; i < recipients.Count; i++)
            {
                if (!string.IsNullOrWhiteSpace(recipients[i]) && !GreylistScreening.IsValidRecipientPattern(recipients[i]))
                {
                    result.AddError($"Greylist:WhitelistRecipients:{i} '{recipients[i]}' must be user@domain, user@ or domain (regular expressions are not supported).");
                }
            }
        }

        for (var i = 0; i < options.WhitelistClients.Count; i++)
        {
            if (!DnsNames.IsValidDomainName(options.WhitelistClients[i]))
            {
                result.AddError($"Greylist:WhitelistClients:{i} '{options.WhitelistClients[i]}' must be a host or domain name such as mail.example.com or example.com.");
            }
        }
    }
}
