using System.Text;
using BlocklistApi.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Whitelist;

/// <summary>Whitelist requests reviewed by a person. Section <c>Whitelist</c>.</summary>
public sealed class WhitelistOptions
{
    public const string SectionName = "Whitelist";

    /// <summary>The smallest link secret: HMAC-SHA256 keys shorter than its 32-byte output weaken it (RFC 2104 section 3).</summary>
    public const int MinimumSecretBytes = 32;

    /// <summary>
    /// The key that signs every link in a mail (HMAC-SHA256 over request id, action and expiry), at least 32 bytes of
    /// UTF-8. Required outside Development; there a random one is made at start (links then die with the process).
    /// Changing it invalidates every link already sent.
    /// </summary>
    public string? LinkSecret { get; set; }

    /// <summary>How long a link in a mail works (confirmation, approve, deny, status). Default 2.00:00:00.</summary>
    [SettingRange("Whitelist:LinkLifetime", "00:01:00", "30.00:00:00")]
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromDays(2);

    /// <summary>How long an approved request's allow entry counts unless the admin gives <c>expiresAt</c>; empty (the default): no expiry.</summary>
    [SettingRange("Whitelist:EntryLifetime", "00:01:00", "3650.00:00:00")]
    public TimeSpan? EntryLifetime { get; set; }

    /// <summary>
    /// The base of every link in a mail: the shared <c>PublicPage__Url</c>, set here at start (required outside
    /// Development, where it defaults to http://127.0.0.1:7071/, the self-host's address in the README).
    /// </summary>
    public string? PageUrl { get; internal set; }
}

/// <summary>The ranges on <see cref="WhitelistOptions"/>, checked by the options validation source generator.</summary>
[OptionsValidator]
public sealed partial class WhitelistOptionsRanges : IValidateOptions<WhitelistOptions>;

/// <summary>Checks <see cref="WhitelistOptions"/> at start: the ranges, and a link secret of at least 32 bytes.</summary>
public sealed class WhitelistOptionsValidator(IHostEnvironment environment) : SettingsValidator<WhitelistOptions, WhitelistOptionsRanges>
{
    protected override void AddRules(WhitelistOptions options, ValidateOptionsResultBuilder result)
    {
        if (string.IsNullOrEmpty(options.LinkSecret))
        {
            result.AddError($"Whitelist:LinkSecret is required (outside Development; environment {environment.EnvironmentName}): at least {WhitelistOptions.MinimumSecretBytes} bytes, e.g. from 'openssl rand -base64 48'.");
        }
        else if (Encoding.UTF8.GetByteCount(options.LinkSecret) < WhitelistOptions.MinimumSecretBytes)
        {
            result.AddError($"Whitelist:LinkSecret must be at least {WhitelistOptions.MinimumSecretBytes} bytes (it has {Encoding.UTF8.GetByteCount(options.LinkSecret)}).");
        }

        if (string.IsNullOrEmpty(options.PageUrl))
        {
            result.AddError($"PublicPage:Url is required (outside Development; environment {environment.EnvironmentName}): every link in a whitelist mail starts with it, e.g. https://mail-help.example.net/.");
        }
    }
}
