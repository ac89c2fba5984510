extern alias FunctionApp;
using BlocklistApi.Host;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Storage;
using BlocklistApi.Testing;
using FunctionApp::BlocklistApi.FunctionApp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BlocklistApi.IntegrationTests.Hosting;

/// <summary>
/// Bad configuration fails at boot with a message naming the setting, not on the first request. The self-host is started
/// directly (same composition as Program): WebApplicationFactory races its entry-point thread, which disposes the failed
/// host, and then reports ObjectDisposedException instead of the validation error.
/// </summary>
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
    [InlineData("Whitelist:LinkSecret", "", "Whitelist:LinkSecret")]
    [InlineData("Whitelist:LinkSecret", "too-short-for-hmac", "Whitelist:LinkSecret")]
    [InlineData("Whitelist:LinkLifetime", "00:00:10", "Whitelist:LinkLifetime")]
    [InlineData("PublicPage:Url", "", "PublicPage:Url")]
    [InlineData("Email:From", "", "Email:From")]
    [InlineData("Email:Transport", "smtp", "Email:Smtp:Host")]
    [InlineData("Email:Transport", "acs", "Email:Acs")]
    [InlineData("Notifications:AdminEmails:0", "", "Notifications:AdminEmails:0")]
    [InlineData("Notifications:AdminEmails:0", "postmaster", "Notifications:AdminEmails:0")]
    [InlineData("DnsZone:Listen", "127.0.0.1", "DnsZone__Listen")]
    [InlineData("DnsZone:Listen", "127.0.0.1:5353", "DnsZone__Name")]
    public async Task Startup_InvalidSetting_FailsNamingTheSetting(string key, string value, string named)
    {
        var settings = new Dictionary<string, string?> { [key] = value };
        if (key.StartsWith("Dnsbl:Zones:0:", StringComparison.Ordinal) && key != "Dnsbl:Zones:0:Zone")
        {
            settings["Dnsbl:Zones:0:Zone"] = "bl.test";
        }

        var error = await StartExpectingFailure(settings);

        Assert.Contains(named, error.Message);
    }

    [Fact]
    public async Task Startup_DuplicateZone_FailsNamingIt()
    {
        var error = await StartExpectingFailure(new Dictionary<string, string?>
        {
            ["Dnsbl:Zones:0:Zone"] = "zen.spamhaus.org",
            ["Dnsbl:Zones:1:Zone"] = "ZEN.spamhaus.org.",
        });

        Assert.Contains("configured twice", error.Message);
    }

    [Fact]
    public async Task Startup_SqliteWithoutPath_FailsNamingTheSetting()
    {
        var error = await StartExpectingFailure(new Dictionary<string, string?> { ["Storage:Provider"] = "sqlite", ["Storage:Sqlite:Path"] = " " });

        Assert.Contains("Storage:Sqlite:Path", error.Message);
    }

    [Fact]
    public void Startup_SelfHostWithoutStorageSettings_UsesSqliteFileUnderContentRoot()
    {
        var builder = SelfHost.CreateBuilder(["--environment=Testing"]);
        using var services = builder.Services.BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        var database = services.GetRequiredService<SqliteDatabase>();

        Assert.Equal(StorageProvider.Sqlite, options.Provider);
        Assert.Equal(Path.Combine(builder.Environment.ContentRootPath, "data", "blocklist.db"), database.FilePath);
        Assert.IsType<SqliteTableStorage>(services.GetRequiredService<ITableStorage>());
        Assert.IsType<SqliteQueueStorage>(services.GetRequiredService<IQueueStorage>());
    }

    [Fact]
    public void Startup_FunctionAppWithSqlite_IsRefusedWithAClearMessage()
    {
        var builder = FunctionAppHost.CreateBuilder([]);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:Provider"] = "sqlite" });
        using var host = builder.Build();

        // What ValidateOnStart runs when the Functions host starts.
        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<StorageOptions>>().Value);

        Assert.Contains("Storage:Provider 'sqlite' cannot be used by the Functions app", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Startup_FunctionAppWithNamePrefix_IsRefusedWithAClearMessage()
    {
        var builder = FunctionAppHost.CreateBuilder([]);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:NamePrefix"] = "staging" });
        using var host = builder.Build();

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<StorageOptions>>().Value);

        Assert.Contains("Storage:NamePrefix cannot be used by the Functions app: its queue triggers read the queues email-outbox, whitelist-requests and whitelist-approvals", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Startup_FunctionAppWithoutProvider_UsesAzure()
    {
        using var host = FunctionAppHost.CreateBuilder([]).Build();

        Assert.IsType<AzureTableStorage>(host.Services.GetRequiredService<ITableStorage>());
    }

    [Fact]
    public async Task Startup_ValidSettings_Starts()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var app = SelfHost.Build(await Builder(new Dictionary<string, string?>()));

        await app.StartAsync(cts.Token);
        await app.StopAsync(cts.Token);
    }

    private static async Task<OptionsValidationException> StartExpectingFailure(IDictionary<string, string?> settings)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var app = SelfHost.Build(await Builder(settings));

        return await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(cts.Token));
    }

    private static async Task<WebApplicationBuilder> Builder(IDictionary<string, string?> settings)
    {
        var azurite = await AzuriteServer.Shared;
        var builder = SelfHost.CreateBuilder(["--environment=Testing"]);
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(BlocklistApiApp.Settings(azurite, BlocklistApiApp.NewPrefix(), settings));
        return builder;
    }
}
