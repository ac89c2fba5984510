using BlocklistApi.Client;
using BlocklistApi.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BlocklistApi.IntegrationTests.Infrastructure;

/// <summary>
/// The self-host, in process, on a real Azurite: every app gets its own table and queue name prefix, so tests never
/// see each other's rows. Settings use the configuration contract's names ("Dnsbl:Zones:0:Zone").
/// </summary>
public sealed class BlocklistApiApp : WebApplicationFactory<Program>
{
    public const string FunctionKey = "test-function-key-6b1f0c";
    public const string AdminKey = "test-admin-key-9d2e4a";
    public const string LinkSecret = "test-link-secret-5f0c2b7e9a1d4c6b8e3f";
    public const string PageUrl = "https://blocklist.test/";

    private readonly Dictionary<string, string?> _settings;
    private readonly TimeProvider? _timeProvider;
    private readonly Action<IServiceCollection>? _services;

    public BlocklistApiApp(AzuriteServer azurite, IDictionary<string, string?> settings, TimeProvider? timeProvider = null, Action<IServiceCollection>? services = null, string? namePrefix = null)
    {
        NamePrefix = namePrefix ?? NewPrefix();
        _settings = Settings(azurite, NamePrefix, settings);
        _timeProvider = timeProvider;
        _services = services;
    }

    public string NamePrefix { get; }

    /// <summary>The settings every test app runs with (Azurite, its own name prefix, test keys), then <paramref name="overrides"/>.</summary>
    public static Dictionary<string, string?> Settings(AzuriteServer azurite, string namePrefix, IDictionary<string, string?> overrides)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Storage:NamePrefix"] = namePrefix,
            ["Storage:MaxRetries"] = "0",
            // Generous: a loaded CI machine can make Azurite slow; tests of storage timeouts set their own.
            ["Storage:Timeout"] = "00:00:10",
            ["Auth:FunctionKeys:0"] = FunctionKey,
            ["Auth:AdminKeys:0"] = AdminKey,
            ["Dns:Timeout"] = "00:00:01",
            ["Logging:LogLevel:Default"] = "Warning",
            // What the app needs outside Development to send whitelist mail; tests that read mail set their own transport.
            ["Whitelist:LinkSecret"] = LinkSecret,
            ["PublicPage:Url"] = PageUrl,
            ["Email:From"] = "Blocklist <blocklist@blocklist.test>",
            ["Email:PickupDirectory"] = Path.Combine(Path.GetTempPath(), "blocklist-test-mail", namePrefix),
            ["Notifications:AdminEmails:0"] = "postmaster@blocklist.test",
        };
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
