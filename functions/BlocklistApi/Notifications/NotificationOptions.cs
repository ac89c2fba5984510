using BlocklistApi.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Notifications;

/// <summary>Who hears about things that need a person. Section <c>Notifications</c>.</summary>
public sealed class NotificationOptions
{
    public const string SectionName = "Notifications";

    /// <summary>
    /// The admins (<c>Notifications__AdminEmails__0</c>, <c>__1</c>...): each gets every whitelist request to decide,
    /// and other features' alerts. At least one is required outside Development.
    /// </summary>
    public IList<string> AdminEmails { get; set; } = [];
}

/// <summary>Checks <see cref="NotificationOptions"/> at start: each admin address is valid, and outside Development there is one.</summary>
public sealed class NotificationOptionsValidator(IHostEnvironment environment) : IValidateOptions<NotificationOptions>
{
    public ValidateOptionsResult Validate(string? name, NotificationOptions options)
    {
        var result = new ValidateOptionsResultBuilder();
        if (options.AdminEmails.Count == 0 && !environment.IsDevelopment())
        {
            result.AddError("Notifications:AdminEmails:0 is required (outside Development): the address of an admin who decides whitelist requests.");
        }

        for (var i = 0; i < options.AdminEmails.Count; i++)
        {
            if (!MailAddresses.IsValidMailbox(options.AdminEmails[i], allowSingleLabel: true))
            {
                result.AddError($"Notifications:AdminEmails:{i} '{options.AdminEmails[i]}' must be an address such as postmaster@example.net.");
            }
        }

        return result.Build();
    }
}
