using BlocklistApi.Client;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace BlocklistApi.IntegrationTests.Faults;

/// <summary>
/// A timer whose storage hangs (Azurite frozen with SIGSTOP): the run is cut off by its budget and logged, the host
/// keeps running, and the next run after the thaw does its work. (Reputation calls during a freeze: StorageFaultTests.)
/// </summary>
public sealed class TimerFaultTests : IAsyncLifetime
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(90);
    private readonly TimerClock _clock = new(new DateTimeOffset(2026, 11, 28, 12, 0, 30, TimeSpan.Zero));
    private readonly LoopbackDnsServer _dns = LoopbackDnsServer.Start();
    private readonly FakeLogCollector _logs = new();
    private AzuriteServer _azurite = null!;
    private BlocklistApiApp _app = null!;

    public async Task InitializeAsync()
    {
        _dns.AddSoa("bl.test");
        _dns.AddA("2.0.0.127.bl.test", "127.0.0.2");
        _dns.AddA("9.2.0.192.bl.test", "127.0.0.2");
        _azurite = await AzuriteServer.StartAsync().WaitAsync(s_timeout);
        _app = new BlocklistApiApp(_azurite, new Dictionary<string, string?>
        {
            ["Dnsbl:Zones:0:Zone"] = "bl.test",
            ["Dnsbl:Zones:0:Servers:0"] = _dns.Server,
            ["ZoneHealth:Schedule"] = "0 */2 * * * *",
            // The run's budget is far shorter than one storage call's deadline, so the budget is what ends the frozen
            // run; and far longer than a healthy run (a few storage calls and four DNS queries on loopback), so a
            // loaded machine does not cut that one.
            ["ZoneHealth:RunTimeout"] = "00:00:05",
            ["Storage:Timeout"] = "00:00:30",
        }, _clock.Time, services => services.AddLogging(b => b.AddProvider(new FakeLoggerProvider(_logs))));
        _app.CreateClient().Dispose();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _azurite.DisposeAsync();
        await _dns.DisposeAsync();
    }

    [Fact]
    public async Task HealthTimer_StorageFrozen_RunCutOffByItsBudgetAndLogged_NextRunStoresItsProbe()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var admin = _app.AdminClient();
        await _clock.AdvanceToAsync(At(12, 2), async () => await ProbedAtAsync(admin, At(12, 2), cts.Token), cts.Token);

        _azurite.Freeze();
        await _clock.AdvanceToAsync(At(12, 4), () => Failures().Count == 1, cts.Token);
        _azurite.Thaw();
        await _clock.AdvanceToAsync(At(12, 6), async () => await ProbedAtAsync(admin, At(12, 6), cts.Token), cts.Token);

        var failure = Assert.Single(Failures());
        Assert.Equal(LogLevel.Warning, failure.Level);
        Assert.StartsWith("Timer CheckZoneHealth failed or ran out of its budget of 00:00:05", failure.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<OperationCanceledException>(failure.Exception);
        Assert.False(_app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
    }

    private List<FakeLogRecord> Failures() =>
        _logs.GetSnapshot().Where(r => r.Message.StartsWith("Timer CheckZoneHealth failed", StringComparison.Ordinal)).ToList();

    private static async Task<bool> ProbedAtAsync(BlocklistApiClient admin, DateTimeOffset at, CancellationToken cancellationToken) =>
        (await admin.GetZonesAsync(cancellationToken)).Zones.Single().LastProbe?.At == at;

    private static DateTimeOffset At(int hour, int minute) => new(2026, 11, 28, hour, minute, 0, TimeSpan.Zero);
}
