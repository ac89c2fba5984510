using BlocklistApi.PostfixPolicy;

namespace BlocklistApi.Tests.PostfixPolicy;

public sealed class PolicyOptionsValidatorTests
{
    [Fact]
    public void Validate_TypicalSettings_Pass()
    {
        Assert.True(new PolicyOptionsValidator().Validate(null, Valid()).Succeeded);
    }

    [Fact]
    public void Validate_NothingToListenOn_FailsNamingBothSettings()
    {
        var options = Valid();
        options.Listen = null;

        var result = new PolicyOptionsValidator().Validate(null, options);

        Assert.Contains("Policy__Listen", result.FailureMessage);
        Assert.Contains("Policy__UnixSocket", result.FailureMessage);
    }

    [Theory]
    [InlineData("Policy__Listen")]
    [InlineData("Policy__UnixSocket")]
    [InlineData("Policy__ApiBaseUrl")]
    [InlineData("Policy__ApiKey")]
    [InlineData("Policy__DeferAction")]
    [InlineData("Policy__Timeout")]
    public void Validate_BadSetting_FailsNamingIt(string setting)
    {
        var options = Valid();
        switch (setting)
        {
            case "Policy__Listen": options.Listen = "10040"; break;
            case "Policy__UnixSocket": options.UnixSocket = "relative/socket"; break;
            case "Policy__ApiBaseUrl": options.ApiBaseUrl = new Uri("ftp://example.net"); break;
            case "Policy__ApiKey": options.ApiKey = " "; break;
            case "Policy__DeferAction": options.DeferAction = "450"; break;
            default: options.Timeout = TimeSpan.Zero; break;
        }

        var result = new PolicyOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(setting, result.FailureMessage);
    }

    [Theory]
    [InlineData("127.0.0.1:10040", true)]
    [InlineData("[::1]:10040", true)]
    [InlineData("localhost:10040", true)]
    [InlineData("0.0.0.0:10040", true)]
    [InlineData("127.1:10040", false)]
    [InlineData("::1:10040", false)]
    [InlineData("127.0.0.1:65536", false)]
    [InlineData("127.0.0.1", false)]
    public void TryParseEndpoint_Forms(string text, bool valid)
    {
        Assert.Equal(valid, PolicyOptionsValidator.TryParseEndpoint(text, out _));
    }

    private static PolicyOptions Valid() => new()
    {
        Listen = "127.0.0.1:10040",
        ApiBaseUrl = new Uri("https://blocklist.example.net"),
        ApiKey = "key",
    };
}
