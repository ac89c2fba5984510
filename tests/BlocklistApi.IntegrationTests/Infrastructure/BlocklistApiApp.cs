using BlocklistApi.Client;
using BlocklistApi.Storage;
using BlocklistApi.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BlocklistApi.IntegrationTests.Infrastructure;

/// <summary>
/// The self-host, in process, on a real Azurite or a SQLite file (<see cref="TestStorage"/>): every app gets its own
/// table and queue name prefix (and so its own file), so tests never see each other's rows. Settings use the
/// configuration contract's names ("Dnsbl:Zones:0:Zone").
/// </summary>
public sealed class BlocklistApiApp : WebApplicationFactory<Program>
{
    public const string FunctionKey = "test-function-key-6b1f0c";
    public const string AdminKey = "test-admin-key-9d2e4a";
    public const string LinkSecret = "test-link-secret-5f0c2b7e9a1d4c6b8e3f";
    public const string PageUrl = "https://blocklist.test/";

    /// <summary>A timer schedule that no test's clock reaches (29 February).</summary>
    public const string NeverInTests = "0 0 0 29 2 *";

    private readonly Dictionary<string, string?> _settings;
    private readonly TimeProvider? _timeProvider;
    private readonly Action<IServiceCollection>? _services;

    public BlocklistApiApp(AzuriteServer azurite, IDictionary<string, string?> settings, TimeProvider? timeProvider = null, Action<IServiceCollection>? services = null, string? namePrefix = null)
        : this(TestStorage.On(azurite), settings, timeProvider, services, namePrefix)
    {
    }

    public BlocklistApiApp(TestStorage storage, IDictionary<string, string?> settings, TimeProvider? timeProvider = null, Action<IServiceCollection>? services = null, string? namePrefix = null)
    {
        Storage = storage;
        NamePrefix = namePrefix ?? NewPrefix();
        _settings = Settings(storage, NamePrefix, settings);
        _timeProvider = timeProvider;
        _services = services;
    }

    public string NamePrefix { get; }

    public TestStorage Storage { get; }

    /// <summary>The app's table port (whichever provider it runs on), to look at stored rows.</summary>
    public ITableStorage Tables => Services.GetRequiredService<ITableStorage>();

    /// <summary>The settings every test app runs with (Azurite, its own name prefix, test keys), then <paramref name="overrides"/>.</summary>
    public static Dictionary<string, string?> Settings(AzuriteServer azurite, string namePrefix, IDictionary<string, string?> overrides) =>
        Settings(TestStorage.On(azurite), namePrefix, overrides);

    /// <summary>The settings every test app runs with (its storage and name prefix, test keys), then <paramref name="overrides"/>.</summary>
    public static Dictionary<string, string?> Settings(TestStorage storage, string namePrefix, IDictionary<string, string?> overrides)
    {
        var settings = storage.Settings(namePrefix);
        foreach (var (key, value) in new Dictionary<string, string?>
        {
            ["Storage:MaxRetries"] = "0",
            // Generous: a loaded CI machine can make Azurite slow; tests of storage timeouts set their own.
            ["Storage:Timeout"] = "00:00:10",
            ["Auth:FunctionKeys:0"] = FunctionKey,
            ["Auth:AdminKeys:0"] = AdminKey,
            // 3 s: with both cores busy a loopback DNS answer once took over a second. Tests of silent zones set their own.
            ["Dns:Timeout"] = "00:00:03",
            ["Logging:LogLevel:Default"] = "Warning",
            // Zone health, cache refresh and monitors query DNS and rewrite stored state on their own schedules; in
            // tests of other features they would add to DNS counts and cache sources whenever fake time passes one
            // of their occurrences. Here they run only on 29 February (2028): their own tests set their schedules.
            ["ZoneHealth:Schedule"] = NeverInTests,
            ["ReputationCache:RefreshSchedule"] = NeverInTests,
            ["Monitors:Schedule"] = NeverInTests,
            // What the app needs outside Development to send whitelist mail; tests that read mail set their own transport.
            ["Whitelist:LinkSecret"] = LinkSecret,
            ["PublicPage:Url"] = PageUrl,
            ["Email:From"] = "Blocklist <blocklist@blocklist.test>",
            ["Email:PickupDirectory"] = Path.Combine(Path.GetTempPath(), "blocklist-test-mail", namePrefix),
            ["Notifications:AdminEmails:0"] = "postmaster@blocklist.test",
        })
        {
            settings[key] = value;
        }

        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        return settings;
    }

    public static string NewPrefix() => "t" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The generated client, sending <paramref name="key"/> (none if null) in x-functions-key.</summary>
    public BlocklistApiClient Client(string? key = FunctionKey)
    {
        var http = CreateClient();
        if (key is not null)
        {
            http.DefaultRequestHeaders.Add("x-functions-key", key);
        }

        return new BlocklistApiClient(http);
    }

    public BlocklistApiClient AdminClient() => Client(AdminKey);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(_settings));
        builder.ConfigureTestServices(services =>
        {
            if (_timeProvider is not null)
            {
                services.AddSingleton(_timeProvider);
            }

            _services?.Invoke(services);
        });
    }
}
