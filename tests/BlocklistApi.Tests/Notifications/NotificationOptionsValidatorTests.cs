using BlocklistApi.Notifications;
using BlocklistApi.Whitelist;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace BlocklistApi.Tests.Notifications;

/// <summary>E-mail, notification and whitelist settings are checked at start, naming the setting.</summary>
public sealed class NotificationOptionsValidatorTests
{
    private static readonly Environment s_production = new("Production");
    private static readonly Environment s_development = new("Development");

    [Fact]
    public void Email_PickupWithFrom_Succeeds() =>
        Assert.Null(Failure(new EmailOptions { From = "blocklist@example.net" }));

    [Theory]
    [InlineData(null, "Email:From is required")]
    [InlineData("not an address", "Email:From 'not an address'")]
    public void Email_FromMissingOrBad_FailsNamingIt(string? from, string expected) =>
        Assert.Contains(expected, Failure(new EmailOptions { From = from }), StringComparison.Ordinal);

    [Fact]
    public void Email_SmtpWithoutHost_FailsNamingIt() =>
        Assert.Contains("Email:Smtp:Host", Failure(new EmailOptions { From = "a@example.net", Transport = EmailTransportKind.Smtp }), StringComparison.Ordinal);

    [Fact]
    public void Email_SmtpUserWithoutPassword_Fails() =>
        Assert.Contains("Email:Smtp:Password", Failure(new EmailOptions { From = "a@example.net", Transport = EmailTransportKind.Smtp, Smtp = { Host = "relay.example.net", Username = "u" } }), StringComparison.Ordinal);

    [Fact]
    public void Email_SmtpPortOutOfRange_FailsNamingIt() =>
        Assert.Contains("Email:Smtp:Port", Failure(new EmailOptions { From = "a@example.net", Transport = EmailTransportKind.Smtp, Smtp = { Host = "relay.example.net", Port = 0 } }), StringComparison.Ordinal);

    [Theory]
    [InlineData(null, null, "exactly one of")]
    [InlineData("endpoint=https://x.communication.azure.com/;accesskey=a2V5", "https://x.communication.azure.com/", "exactly one of")]
    [InlineData("endpoint=https://x.communication.azure.com/", null, "Email:Acs:ConnectionString")]
    [InlineData(null, "x.communication.azure.com", "Email:Acs:Endpoint")]
    public void Email_AcsWithoutOneGoodCredential_Fails(string? connection, string? endpoint, string expected) =>
        Assert.Contains(expected, Failure(new EmailOptions { From = "a@example.net", Transport = EmailTransportKind.Acs, Acs = { ConnectionString = connection, Endpoint = endpoint } }), StringComparison.Ordinal);

    [Fact]
    public void Notifications_NoAdminOutsideDevelopment_Fails()
    {
        Assert.Contains("Notifications:AdminEmails:0 is required", new NotificationOptionsValidator(s_production).Validate(null, new NotificationOptions()).FailureMessage, StringComparison.Ordinal);
        Assert.True(new NotificationOptionsValidator(s_development).Validate(null, new NotificationOptions()).Succeeded);
    }

    [Fact]
    public void Notifications_BadAdminAddress_FailsNamingIt() =>
        Assert.Contains("Notifications:AdminEmails:1", new NotificationOptionsValidator(s_production).Validate(null, new NotificationOptions { AdminEmails = ["a@example.net", "b"] }).FailureMessage, StringComparison.Ordinal);

    [Theory]
    [InlineData(null, "Whitelist:LinkSecret is required")]
    [InlineData("thirty-one bytes is not enough!", "at least 32 bytes (it has 31)")]
    public void Whitelist_SecretMissingOrShort_Fails(string? secret, string expected) =>
        Assert.Contains(expected, WhitelistFailure(new WhitelistOptions { LinkSecret = secret, PageUrl = "https://example.net/" }), StringComparison.Ordinal);

    [Fact]
    public void Whitelist_NoPageUrl_FailsNamingPublicPageUrl() =>
        Assert.Contains("PublicPage:Url is required", WhitelistFailure(new WhitelistOptions { LinkSecret = new string('s', 32) }), StringComparison.Ordinal);

    [Fact]
    public void Whitelist_LinkLifetimeOutOfRange_FailsNamingIt() =>
        Assert.Contains("Whitelist:LinkLifetime", WhitelistFailure(new WhitelistOptions { LinkSecret = new string('s', 32), PageUrl = "https://example.net/", LinkLifetime = TimeSpan.FromDays(31) }), StringComparison.Ordinal);

    [Fact]
    public void Whitelist_GoodSettings_Succeed() =>
        Assert.Null(WhitelistFailure(new WhitelistOptions { LinkSecret = new string('s', 32), PageUrl = "https://example.net/", EntryLifetime = TimeSpan.FromDays(365) }));

    private static string? Failure(EmailOptions options) => new EmailOptionsValidator(s_production).Validate(null, options).FailureMessage;

    private static string? WhitelistFailure(WhitelistOptions options) => new WhitelistOptionsValidator(s_production).Validate(null, options).FailureMessage;

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "BlocklistApi.Tests";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
