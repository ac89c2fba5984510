using BlocklistApi.Dns;
using BlocklistApi.Hosting;
using BlocklistApi.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Notifications;

/// <summary>
/// Checks <see cref="EmailOptions"/> at start: the ranges, then what the chosen transport needs. Outside Development
/// the From address is required (Development gets <c>blocklist@localhost</c>).
/// </summary>
public sealed class EmailOptionsValidator(IHostEnvironment environment) : SettingsValidator<EmailOptions, EmailOptionsRanges>
{
    protected override void AddRules(EmailOptions options, ValidateOptionsResultBuilder result)
    {
        if (string.IsNullOrWhiteSpace(options.From))
        {
            result.AddError($"Email:From is required (outside Development): the From address of every message, e.g. \"Blocklist <blocklist@example.net>\" (environment {environment.EnvironmentName}).");
        }
        else if (!EmailAddresses.TryParseMailbox(options.From, out _))
        {
            result.AddError($"Email:From '{options.From}' must be one address, e.g. blocklist@example.net or \"Blocklist <blocklist@example.net>\".");
        }

        switch (options.Transport)
        {
            case EmailTransportKind.Pickup when string.IsNullOrWhiteSpace(options.PickupDirectory):
                result.AddError("Email:PickupDirectory must name a directory for the pickup transport.");
                break;
            case EmailTransportKind.Smtp:
                AddSmtpRules(options.Smtp, result);
                break;
            case EmailTransportKind.Acs:
                AddAcsRules(options.Acs, result);
                break;
        }
    }

    private static void AddSmtpRules(SmtpEmailOptions smtp, ValidateOptionsResultBuilder result)
    {
        if (string.IsNullOrWhiteSpace(smtp.Host) || (!DnsNames.IsValidDomainName(smtp.Host) && IpAddressParser.ParseOrNull(smtp.Host) is null))
        {
            result.AddError($"Email:Smtp:Host must be the relay's host name or address for Email:Transport smtp (it is '{smtp.Host}').");
        }

        if (string.IsNullOrEmpty(smtp.Username) != string.IsNullOrEmpty(smtp.Password))
        {
            result.AddError("Email:Smtp:Username and Email:Smtp:Password go together: set both for SMTP AUTH, or neither.");
        }
    }

    private static void AddAcsRules(AcsEmailOptions acs, ValidateOptionsResultBuilder result)
    {
        var hasConnection = !string.IsNullOrWhiteSpace(acs.ConnectionString);
        var hasEndpoint = !string.IsNullOrWhiteSpace(acs.Endpoint);
        if (hasConnection == hasEndpoint)
        {
            result.AddError("Email:Transport acs needs exactly one of Email:Acs:ConnectionString (endpoint=...;accesskey=..., signed with HMAC) or Email:Acs:Endpoint (a managed identity's Entra ID token).");
            return;
        }

        if (hasConnection && !AcsConnectionString.TryParse(acs.ConnectionString, out _, out var error))
        {
            result.AddError($"Email:Acs:ConnectionString {error}");
        }

        if (hasEndpoint && !AcsConnectionString.IsValidEndpoint(acs.Endpoint))
        {
            result.AddError($"Email:Acs:Endpoint must be an absolute https URL such as https://NAME.communication.azure.com/ (it is '{acs.Endpoint}').");
        }

        if (string.IsNullOrWhiteSpace(acs.ApiVersion) || acs.ApiVersion.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '-'))
        {
            result.AddError($"Email:Acs:ApiVersion must be an API version such as 2023-03-31 (it is '{acs.ApiVersion}').");
        }
    }
}
