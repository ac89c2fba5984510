using BlocklistApi.IntegrationTests.Diagnostics;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Testing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace BlocklistApi.IntegrationTests.PublicPage;

/// <summary>
/// The self-host on a real loopback port (WebApplicationFactory with Kestrel) with the diagnostics DNS data, and
/// Debian's chromium driven headless by Playwright, with a fresh profile. Never downloads a browser.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    private string? _profile;

    public string? SkipReason { get; private set; }

    public Uri BaseAddress { get; private set; } = null!;

    public IBrowserContext Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: under the test output (bin/, git-ignored), in TestResults/screenshots.</summary>
    public static string ScreenshotDirectory => Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    private LoopbackDnsServer? Dns { get; set; }

    /// <summary>The app behind the page (its services and queues, for tests that follow what the page did).</summary>
    public BlocklistApiApp? App { get; private set; }

    private IPlaywright? Playwright { get; set; }

    public async Task InitializeAsync()
    {
        SkipReason = Peers.SkipReason(File.Exists(Chromium) ? null : $"chromium is not installed ({Chromium}); install the Debian package chromium (.ci/run does).");
        if (SkipReason is not null)
        {
            return;
        }

        Dns = LoopbackDnsServer.Start();
        DiagnosticsZones.Serve(Dns);
        App = new BlocklistApiApp(await AzuriteServer.Shared, DiagnosticsZones.Settings(Dns));
        App.UseKestrel(0);
        App.StartServer();
        var address = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal));

        _profile = Directory.CreateTempSubdirectory("chromium-profile-").FullName;
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchPersistentContextAsync(_profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            Timeout = 60_000,
        });
        Directory.CreateDirectory(ScreenshotDirectory);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        Playwright?.Dispose();
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        if (Dns is not null)
        {
            await Dns.DisposeAsync();
        }

        if (_profile is not null)
        {
            Directory.Delete(_profile, recursive: true);
        }
    }
}
