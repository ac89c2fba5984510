using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Testing;
using Microsoft.Extensions.Options;

namespace BlocklistApi.IntegrationTests.Hosting;

/// <summary>Bad configuration fails at boot with a message naming the setting, not on the first request.</summary>
public sealed class StartupValidationTests
{
    [Theory]
    [InlineData("Dns:Servers:0", "nonsense:53", "Dns:Servers:0")]
    [InlineData("Dns:Timeout", "00:00:00", "Dns:Timeout")]
    [InlineData("Dnsbl:Zones:0:Zone", "not a zone", "Dnsbl:Zones:0:Zone")]
    [InlineData("Dnsbl:Zones:0:Weight", "-1", "Dnsbl:Zones:0:Weight")]
    [InlineData("Dnsbl:Zones:0:DelistUrl", "ftp://example.test/{ip}", "Dnsbl:Zones:0:DelistUrl")]
    [InlineData("ReputationCache:MaximumTtl", "00:00:10", "ReputationCache:MaximumTtl")]
    [InlineData("Storage:NamePrefix", "Bad-Prefix", "Storage:NamePrefix")]
    [InlineData("AzureWebJobsStorage", "this is not a connection string", "AzureWebJobsStorage")]
    [InlineData("Queues:MaxDequeueCount", "0", "Queues:MaxDequeueCount")]
    public async Task Startup_InvalidSetting_FailsNamingTheSetting(string key, string value, string named)
    {
        var settings = new Dictionary<string, string?> { [key] = value };
        if (key.StartsWith("Dnsbl:Zones:0:", StringComparison.Ordinal) && key != "Dnsbl:Zones:0:Zone")
        {
            settings["Dnsbl:Zones:0:Zone"] = "bl.test";
        }

        await using var app = new BlocklistApiApp(await AzuriteServer.Shared, settings);

        var error = Assert.Throws<OptionsValidationException>(() => app.CreateClient());

        Assert.Contains(named, error.Message);
    }

    [Fact]
    public async Task Startup_DuplicateZone_FailsNamingIt()
    {
        await using var app = new BlocklistApiApp(await AzuriteServer.Shared, new Dictionary<string, string?>
        {
            ["Dnsbl:Zones:0:Zone"] = "zen.spamhaus.org",
            ["Dnsbl:Zones:1:Zone"] = "ZEN.spamhaus.org.",
        });

        var error = Assert.Throws<OptionsValidationException>(() => app.CreateClient());

        Assert.Contains("configured twice", error.Message);
    }
}
