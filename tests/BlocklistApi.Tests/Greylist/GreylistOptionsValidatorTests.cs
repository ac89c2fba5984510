using BlocklistApi.Greylist;
using Microsoft.Extensions.Configuration;
using BlocklistApi.PublicPage;

namespace BlocklistApi.Tests.Greylist;

public sealed class GreylistOptionsValidatorTests
{
    private static string? Failure(GreylistOptions options) => new GreylistOptionsValidator().Validate(null, options).FailureMessage;

    [Fact]
    public void Startup_PostgreyDefaults_Succeed() => Assert.Null(Failure(new GreylistOptions()));

    [Theory]
    [InlineData(33, 64, "Greylist:Ipv4PrefixLength")]
    [InlineData(-1, 64, "Greylist:Ipv4PrefixLength")]
    [InlineData(24, 129, "Greylist:Ipv6PrefixLength")]
    public void Startup_PrefixOutOfRange_FailsNamingTheKey(int v4, int v6, string key) =>
        Assert.Contains(key, Failure(new GreylistOptions { Ipv4PrefixLength = v4, Ipv6PrefixLength = v6 }), StringComparison.Ordinal);

    [Fact]
    public void Startup_DelayNotBelowRetryWindow_Fails() =>
        Assert.Contains("Greylist:RetryWindow", Failure(new GreylistOptions { Delay = TimeSpan.FromDays(1), RetryWindow = TimeSpan.FromDays(1) }), StringComparison.Ordinal);

    [Fact]
    public void Startup_RefreshIntervalNearMaxAge_Fails() =>
        Assert.Contains("Greylist:RefreshInterval", Failure(new GreylistOptions { RefreshInterval = TimeSpan.FromDays(20) }), StringComparison.Ordinal);

    [Fact]
    public void Startup_KnownTripletCacheLongerThanAnHour_Fails() =>
        Assert.Contains("Greylist:KnownTripletCacheTtl", Failure(new GreylistOptions { KnownTripletCacheTtl = TimeSpan.FromHours(2) }), StringComparison.Ordinal);

    [Fact]
    public void Startup_ZeroSpfTimeout_Fails() =>
        Assert.Contains("Greylist:SpfTimeout", Failure(new GreylistOptions { SpfTimeout = TimeSpan.Zero }), StringComparison.Ordinal);

    [Fact]
    public void Startup_RegexRecipientPattern_Fails() =>
        Assert.Contains("Greylist:WhitelistRecipients:0", Failure(new GreylistOptions { WhitelistRecipients = ["/^a.*$/"] }), StringComparison.Ordinal);

    [Fact]
    public void Startup_BadClientDomain_Fails() =>
        Assert.Contains("Greylist:WhitelistClients:0", Failure(new GreylistOptions { WhitelistClients = ["not a domain"] }), StringComparison.Ordinal);

    [Fact]
    public void EffectiveWhitelistRecipients_NotConfigured_ArePostgreysDefaults() =>
        Assert.Equal(["postmaster@", "abuse@"], new GreylistOptions().EffectiveWhitelistRecipients);

    [Fact]
    public void EffectiveWhitelistRecipients_OneEmptyEntry_OptsNobodyOut() =>
        Assert.Empty(new GreylistOptions { WhitelistRecipients = [""] }.EffectiveWhitelistRecipients);

    [Theory]
    [InlineData(null, 2)]
    [InlineData("", 0)]
    [InlineData("optout.example", 1)]
    public void Binding_WhitelistRecipientsSetting_ReplacesOrKeepsDefaults(string? first, int expected)
    {
        var settings = new Dictionary<string, string?>();
        if (first is not null)
        {
            settings["Greylist:WhitelistRecipients:0"] = first;
        }

        var options = new ConfigurationBuilder().AddInMemoryCollection(settings).Build()
            .GetSection(GreylistOptions.SectionName).Get<GreylistOptions>() ?? new GreylistOptions();

        Assert.Equal(expected, options.EffectiveWhitelistRecipients.Count);
    }

    [Theory]
    [InlineData("https://example.net/greylisting", true)]
    [InlineData("ftp://example.net/x", false)]
    [InlineData("https://example.net/a b", false)]
    [InlineData("/relative", false)]
    public void Startup_PublicPageUrl_MustBeAbsoluteHttp(string url, bool valid) =>
        Assert.Equal(valid, new PublicPageOptionsValidator().Validate(null, new PublicPageOptions { Url = url }).Succeeded);
}
