using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using BlocklistApi.Hosting;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Notifications;

/// <summary>How the e-mail outbox delivers its messages.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EmailTransportKind>))]
public enum EmailTransportKind
{
    /// <summary>Each message is written as an .eml file to <see cref="EmailOptions.PickupDirectory"/> (the self-host's default).</summary>
    [JsonStringEnumMemberName("pickup")] Pickup,

    /// <summary>SMTP with MailKit, to any relay (ACS's SMTP relay too).</summary>
    [JsonStringEnumMemberName("smtp")] Smtp,

    /// <summary>Azure Communication Services Email over its REST API.</summary>
    [JsonStringEnumMemberName("acs")] Acs,
}

/// <summary>How an SMTP connection is secured.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SmtpSecurity>))]
public enum SmtpSecurity
{
    /// <summary>Plain SMTP (a relay on the same host or network).</summary>
    [JsonStringEnumMemberName("none")] None,

    /// <summary>STARTTLS after the greeting, required (port 587, RFC 3207).</summary>
    [JsonStringEnumMemberName("starttls")] StartTls,

    /// <summary>TLS from the first byte (port 465, RFC 8314).</summary>
    [JsonStringEnumMemberName("tls")] Tls,
}

/// <summary>
/// Outgoing e-mail (whitelist notifications, admin alerts). Section <c>Email</c>: <c>Email__Transport</c>,
/// <c>Email__PickupDirectory</c>, <c>Email__From</c>, <c>Email__Smtp__*</c>, <c>Email__Acs__*</c>.
/// </summary>
public sealed class EmailOptions
{
    public const string SectionName = "Email";

    /// <summary><c>pickup</c> (default), <c>smtp</c> or <c>acs</c>.</summary>
    [EnumDataType(typeof(EmailTransportKind), ErrorMessage = "Email:Transport must be 'pickup', 'smtp' or 'acs'.")]
    public EmailTransportKind Transport { get; set; } = EmailTransportKind.Pickup;

    /// <summary>Where <c>pickup</c> writes .eml files; a relative path is under the current directory. Default <c>data/mail</c>.</summary>
    public string PickupDirectory { get; set; } = "data/mail";

    /// <summary>
    /// The From address of every message, e.g. <c>Blocklist &lt;blocklist@example.net&gt;</c>; required outside
    /// Development (there the default is <c>blocklist@localhost</c>). With ACS it must be a sender of a verified domain.
    /// </summary>
    public string? From { get; set; }

    [ValidateObjectMembers]
    public SmtpEmailOptions Smtp { get; set; } = new();

    public AcsEmailOptions Acs { get; set; } = new();

    /// <summary>Attempts of one send before the queue message fails (and is tried again by the queue). Default 3.</summary>
    [SettingRange("Email:RetryAttempts", 1, 10)]
    public int RetryAttempts { get; set; } = 3;

    /// <summary>The first pause between attempts, doubled after each. Default 00:00:01.</summary>
    [SettingRange("Email:RetryDelay", "00:00:00", "00:01:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one attempt (connect, send, and for ACS the status polling) may take. Default 00:00:30.</summary>
    [SettingRange("Email:Timeout", "00:00:00", "00:05:00", MinimumIsExclusive = true)]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Section <c>Email:Smtp</c>.</summary>
public sealed class SmtpEmailOptions
{
    /// <summary>The relay's host name or address; required for the <c>smtp</c> transport.</summary>
    public string? Host { get; set; }

    /// <summary>Default 25 (587 with starttls, 465 with tls are usual).</summary>
    [SettingRange("Email:Smtp:Port", 1, 65535)]
    public int Port { get; set; } = 25;

    /// <summary><c>none</c> (default), <c>starttls</c> or <c>tls</c>.</summary>
    [EnumDataType(typeof(SmtpSecurity), ErrorMessage = "Email:Smtp:Security must be 'none', 'starttls' or 'tls'.")]
    public SmtpSecurity Security { get; set; } = SmtpSecurity.None;

    /// <summary>User name for SMTP AUTH; none by default (no authentication).</summary>
    public string? Username { get; set; }

    /// <summary>Password for SMTP AUTH.</summary>
    public string? Password { get; set; }
}

/// <summary>Section <c>Email:Acs</c>: an access-key connection string, or an endpoint reached with a managed identity.</summary>
public sealed class AcsEmailOptions
{
    /// <summary><c>endpoint=https://NAME.communication.azure.com/;accesskey=BASE64</c>: requests are signed with HMAC-SHA256.</summary>
    public string? ConnectionString { get; set; }

    /// <summary><c>https://NAME.communication.azure.com/</c>: requests carry an Entra ID token of the app's managed identity.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The user-assigned identity's client id for <see cref="Endpoint"/>; empty: the default credential chain.</summary>
    public string? ClientId { get; set; }

    /// <summary>The ACS Email API version. Default <c>2023-03-31</c> (GA).</summary>
    public string ApiVersion { get; set; } = "2023-03-31";
}

/// <summary>The ranges and enums on <see cref="EmailOptions"/>, checked by the options validation source generator.</summary>
[OptionsValidator]
public sealed partial class EmailOptionsRanges : IValidateOptions<EmailOptions>;
