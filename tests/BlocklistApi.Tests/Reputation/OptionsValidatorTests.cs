using BlocklistApi.Auth;
using BlocklistApi.Dns;
using BlocklistApi.Reputation;
using BlocklistApi.Storage;

namespace BlocklistApi.Tests.Reputation;

public sealed class OptionsValidatorTests
{
    [Theory]
    [InlineData("127.0.0.1:53")]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]:5353")]
    [InlineData("localhost:5353")]
    public void DnsOptions_ValidServer_Passes(string server)
    {
        Assert.True(new DnsOptionsValidator().Validate(null, new DnsOptions { Servers = [server] }).Succeeded);
    }

    [Theory]
    [InlineData("dns.example:53", "Dns:Servers:0")]
    [InlineData("127.0.0.1:0", "invalid port")]
    [InlineData("127.0.0.1:70000", "invalid port")]
    [InlineData("[::1", "without ']'")]
    [InlineData("", "is empty")]
    public void DnsOptions_InvalidServer_FailsNamingIt(string server, string message)
    {
        var result = new DnsOptionsValidator().Validate(null, new DnsOptions { Servers = [server] });

        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage);
    }

    [Fact]
    public void DnsblOptions_ZeroTimeoutAndBadWeight_FailNamingBoth()
    {
        var result = new DnsblOptionsValidator().Validate(null, new DnsblOptions
        {
            Zones = [new DnsblZoneOptions { Zone = "bl.example", Timeout = TimeSpan.Zero, Weight = double.NaN }],
        });

        Assert.Contains("Dnsbl:Zones:0:Timeout", result.FailureMessage);
        Assert.Contains("Dnsbl:Zones:0:Weight", result.FailureMessage);
    }

    [Fact]
    public void DnsblOptions_SameZoneWithKeyAndWithout_IsDuplicate()
    {
        var result = new DnsblOptionsValidator().Validate(null, new DnsblOptions
        {
            Zones = [new DnsblZoneOptions { Zone = "KEY1.zen.dq.spamhaus.net" }, new DnsblZoneOptions { Zone = "zen.dq.spamhaus.net" }],
        });

        Assert.Contains("configured twice", result.FailureMessage);
    }

    [Fact]
    public void ReputationCacheOptions_CeilingBelowFloor_Fails()
    {
        var result = new ReputationCacheOptionsValidator().Validate(null, new ReputationCacheOptions { MinimumTtl = TimeSpan.FromMinutes(5), MaximumTtl = TimeSpan.FromMinutes(1) });

        Assert.Contains("ReputationCache:MaximumTtl", result.FailureMessage);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("t1", true)]
    [InlineData("T1", false)]
    [InlineData("1t", false)]
    [InlineData("t-1", false)]
    public void StorageOptions_Prefix_MustBeLowerAlphanumeric(string prefix, bool valid)
    {
        var result = new StorageOptionsValidator().Validate(null, new StorageOptions { NamePrefix = prefix, ConnectionString = "UseDevelopmentStorage=true" });

        Assert.Equal(valid, result.Succeeded);
    }

    [Fact]
    public void StorageOptions_IdentityWithoutQueueUri_FailsNamingTheSetting()
    {
        var result = new StorageOptionsValidator().Validate(null, new StorageOptions { TableServiceUri = new Uri("https://x.table.core.windows.net") });

        Assert.Contains("AzureWebJobsStorage__queueServiceUri", result.FailureMessage);
    }

    [Fact]
    public void AuthOptions_KeyWithSpace_Fails()
    {
        var result = new AuthOptionsValidator().Validate(null, new AuthOptions { FunctionKeys = ["has space"] });

        Assert.Contains("Auth:FunctionKeys:0", result.FailureMessage);
    }
}
