using BlocklistApi.Diagnostics;

namespace BlocklistApi.Tests.Diagnostics;

public sealed class DiagnosticsOptionsValidatorTests
{
    [Fact]
    public void Startup_DefaultDiagnosticsOptions_AreValidWithTheBannerOff()
    {
        var options = new DiagnosticsOptions();

        Assert.True(new DiagnosticsOptionsValidator().Validate(null, options).Succeeded);
        Assert.False(options.Banner.Enabled);
        Assert.Equal(25, options.Banner.Port);
        Assert.Equal(43200, options.MinimumTtl.TotalSeconds);
    }

    [Fact]
    public void Startup_BannerTimeoutsLongerThanTheReport_Fail()
    {
        var options = new DiagnosticsOptions { Timeout = TimeSpan.FromSeconds(5) };

        var result = new DiagnosticsOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Diagnostics:Banner:ConnectTimeout plus Diagnostics:Banner:GreetingTimeout", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Timeout", "Diagnostics:Timeout")]
    [InlineData("MinimumTtl", "Diagnostics:MinimumTtl")]
    [InlineData("MaxMxHosts", "Diagnostics:MaxMxHosts")]
    [InlineData("Port", "Diagnostics:Banner:Port")]
    [InlineData("AllowedNetworks", "Diagnostics:Banner:AllowedNetworks:0")]
    public void Startup_BadDiagnosticsSetting_FailsNamingTheKey(string property, string key)
    {
        var options = new DiagnosticsOptions();
        switch (property)
        {
            case "Timeout": options.Timeout = TimeSpan.FromMinutes(5); break;
            case "MinimumTtl": options.MinimumTtl = TimeSpan.FromMilliseconds(1500); break;
            case "MaxMxHosts": options.MaxMxHosts = 0; break;
            case "Port": options.Banner.Port = 0; break;
            default: options.Banner.AllowedNetworks = ["127.0.0.1/33"]; break;
        }

        var result = new DiagnosticsOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null, null, null)]
    [InlineData(" mail.example.com ", "bounce@Example.COM", "mail.example.com", "example.com")]
    [InlineData("localhost", "example.com", "localhost", "example.com")]
    [InlineData("[192.0.2.1]", "<bounce@example.com>", "[192.0.2.1]", "example.com")]
    [InlineData(null, "<>", null, null)]
    public void Diagnostics_ValidInput_GivesHeloAndSenderDomain(string? helo, string? sender, string? heloName, string? domain)
    {
        Assert.Null(DiagnosticsService.ValidateInput(helo, sender, out var actualHelo, out _, out var actualDomain));
        Assert.Equal(heloName, actualHelo);
        Assert.Equal(domain, actualDomain);
    }

    [Theory]
    [InlineData("mail example com", null, "helo:")]
    [InlineData(null, "bounce@", "sender:")]
    [InlineData(null, "bounce@localhost", "sender:")]
    [InlineData(null, "bounce@exa mple.com", "sender:")]
    public void Diagnostics_JunkInput_IsInvalidNamingTheParameter(string? helo, string? sender, string prefix)
    {
        var error = DiagnosticsService.ValidateInput(helo, sender, out _, out _, out _);

        Assert.NotNull(error);
        Assert.StartsWith(prefix, error.Detail, StringComparison.Ordinal);
    }
}
