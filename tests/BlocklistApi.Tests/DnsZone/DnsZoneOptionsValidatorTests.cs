using BlocklistApi.DnsZone;

namespace BlocklistApi.Tests.DnsZone;

public sealed class DnsZoneOptionsValidatorTests
{
    [Fact]
    public void Validate_ListenEmpty_IsOffAndValid()
    {
        Assert.True(new DnsZoneOptionsValidator().Validate(null, new DnsZoneOptions()).Succeeded);
    }

    [Fact]
    public void Validate_ListenWithZones_Passes()
    {
        Assert.True(new DnsZoneOptionsValidator().Validate(null, new DnsZoneOptions { Listen = "127.0.0.1:5353", Name = "bl.example.net", AllowName = "wl.example.net" }).Succeeded);
    }

    [Theory]
    [InlineData("localhost", "bl.example.net", null, "DnsZone__Listen")]
    [InlineData("bl.example.net:53", "bl.example.net", null, "DnsZone__Listen")]
    [InlineData("127.0.0.1:5353", null, null, "DnsZone__Name")]
    [InlineData("127.0.0.1:5353", "bl example", null, "DnsZone__Name")]
    [InlineData("127.0.0.1:5353", "bl.example.net", "wl..example", "DnsZone__AllowName")]
    [InlineData("127.0.0.1:5353", "bl.example.net", "x.bl.example.net", "DnsZone__AllowName")]
    public void Validate_BadSetting_FailsNamingIt(string listen, string? name, string? allowName, string setting)
    {
        var result = new DnsZoneOptionsValidator().Validate(null, new DnsZoneOptions { Listen = listen, Name = name, AllowName = allowName });

        Assert.True(result.Failed);
        Assert.Contains(setting, result.FailureMessage);
    }

    [Fact]
    public void Validate_ZeroNegativeTtl_Fails()
    {
        var result = new DnsZoneOptionsValidator().Validate(null, new DnsZoneOptions { Listen = "127.0.0.1:5353", Name = "bl.example.net", NegativeTtl = TimeSpan.Zero });

        Assert.Contains("DnsZone__NegativeTtl", result.FailureMessage);
    }
}
