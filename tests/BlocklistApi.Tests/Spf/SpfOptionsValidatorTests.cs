using BlocklistApi.Spf;

namespace BlocklistApi.Tests.Spf;

public sealed class SpfOptionsValidatorTests
{
    [Fact]
    public void Startup_DefaultSpfOptions_AreValid()
    {
        Assert.True(new SpfOptionsValidator().Validate(null, new SpfOptions()).Succeeded);
    }

    [Theory]
    [InlineData("Receiver", "mail server", "Spf:Receiver")]
    [InlineData("DefaultExplanation", "%{x} is refused", "Spf:DefaultExplanation")]
    [InlineData("Timeout", "00:00:00", "Spf:Timeout")]
    [InlineData("Timeout", "00:05:00", "Spf:Timeout")]
    [InlineData("VoidLookupLimit", "11", "Spf:VoidLookupLimit")]
    public void Startup_BadSpfSetting_FailsNamingTheKey(string property, string value, string key)
    {
        var options = new SpfOptions();
        switch (property)
        {
            case "Receiver": options.Receiver = value; break;
            case "DefaultExplanation": options.DefaultExplanation = value; break;
            case "Timeout": options.Timeout = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            default: options.VoidLookupLimit = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
        }

        var result = new SpfOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
    }
}
