using BlocklistApi.Client;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace BlocklistApi.IntegrationTests.Monitors;

/// <summary>
/// Our own sending addresses: the admin routes, and the monitor timer (every 15 minutes, driven by fake time from
/// 12:00:30) against a block zone and an allow zone on a loopback DNS server, with the alerts read from the log and from the admins' mail
/// (the outbox's pickup directory).
/// </summary>
public sealed class MonitorTests : IAsyncLifetime
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly TimerClock _clock = new(new DateTimeOffset(2026, 11, 28, 12, 0, 30, TimeSpan.Zero));
    private readonly LoopbackDnsServer _dns = LoopbackDnsServer.Start();
    private readonly FakeLogCollector _logs = new();
    private AzuriteServer _azurite = null!;
    private Dictionary<string, string?> _settings = null!;
    private BlocklistApiApp _app = null!;

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteServer.Shared;
        foreach (var zone in new[] { "mon.test", "allow.test" })
        {
            _dns.AddSoa(zone);
            _dns.AddA($"2.0.0.127.{zone}", "127.0.0.2");
        }

        // The allow zone lists everything we monitor: allow zones are not monitored, so this alerts nobody.
        _dns.AddA("*.2.0.192.allow.test", "127.0.10.2");
        _settings = new Dictionary<string, string?>
        {
            ["Dns:Servers:0"] = _dns.Server,
            ["Dnsbl:Zones:0:Zone"] = "mon.test",
            ["Dnsbl:Zones:0:DelistUrl"] = "https://mon.test/delist?ip={ip}",
            ["Dnsbl:Zones:1:Zone"] = "allow.test",
            ["Dnsbl:Zones:1:Kind"] = "allow",
            ["Monitors:MaxAddresses"] = "8",
            ["Monitors:Schedule"] = "0 */15 * * * *",
        };
        _app = StartApp(_settings);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _dns.DisposeAsync();
    }

    [Fact]
    public async Task Monitor_AddressGetsListedThenDelisted_ExactlyOneAlertEach()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var admin = _app.AdminClient();
        await admin.PutMonitorRangeAsync(new MonitorRequest { Label = "Outbound relays" }, "192.0.2.64", 30, cts.Token);

        await RunAsync(At(12, 15), cts.Token);
        var alertsWhileClean = Alerts().Count;
        _dns.AddA("65.2.0.192.mon.test", "127.0.0.3");
        _dns.AddTxt("65.2.0.192.mon.test", "Spam trap hits, see https://mon.test/lookup");
        await RunAsync(At(12, 30), cts.Token);
        var listed = await admin.GetMonitorRangeAsync("192.0.2.64", 30, cts.Token);
        await RunAsync(At(12, 45), cts.Token);
        var alertsWhileListed = Alerts().Count;
        _dns.Remove("65.2.0.192.mon.test");
        await RunAsync(At(13, 0), cts.Token);
        await RunAsync(At(13, 15), cts.Token);
        var delisted = await admin.GetMonitorRangeAsync("192.0.2.64", 30, cts.Token);

        Assert.Equal(0, alertsWhileClean);
        var listing = Assert.Single(listed.Listings);
        Assert.Equal(("192.0.2.65", "mon.test", At(12, 30)), (listing.Address, listing.Zone, listing.Since));
        Assert.Equal(["127.0.0.3"], listing.Codes);
        Assert.Equal(["Spam trap hits, see https://mon.test/lookup"], listing.Reasons);
        Assert.Equal("https://mon.test/delist?ip=192.0.2.65", listing.DelistUrl);
        Assert.Equal(1, alertsWhileListed);
        var alerts = Alerts();
        Assert.Equal(2, alerts.Count);
        Assert.Equal(
            "ALERT: our address 192.0.2.65 is listed by mon.test: codes 127.0.0.3 (); reason: Spam trap hits, see https://mon.test/lookup; delisting: https://mon.test/delist?ip=192.0.2.65 (monitored range 192.0.2.64/30)",
            alerts[0].Message);
        Assert.StartsWith("ALERT: our address 192.0.2.65 is no longer listed by mon.test (listed since", alerts[1].Message, StringComparison.Ordinal);
        Assert.All(alerts, a => Assert.Equal(LogLevel.Warning, a.Level));
        Assert.Empty(delisted.Listings);

        // The same two alerts reached the admin by mail, once each (the queue pump polls as fake time moves).
        var mails = await AlertMailsAsync(2, cts.Token);
        Assert.Equal(2, mails.Count);
        Assert.Contains(mails, m => m.Contains("Subject: Our address 192.0.2.65 is listed by mon.test", StringComparison.Ordinal)
            && m.Contains("Delisting: https://mon.test/delist?ip=192.0.2.65", StringComparison.Ordinal)
            && m.Contains("To: postmaster@blocklist.test", StringComparison.Ordinal));
        Assert.Contains(mails, m => m.Contains("Subject: Our address 192.0.2.65 is no longer listed by mon.test", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Monitor_QueueKilledThenFrozenWhileAlerting_ChangeUndoneAndAlertedAgainOnceQueuesAnswer()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        // Tables on the shared Azurite, queues on an Azurite of this test's own, which it kills and freezes.
        await using var queues = await AzuriteServer.StartAsync();
        var settings = new Dictionary<string, string?>(_settings)
        {
            ["AzureWebJobsStorage"] = _azurite.ConnectionStringWithQueuesOn(queues),
        };
        await using var app = StartApp(settings);
        var admin = app.AdminClient();
        await admin.PutMonitorRangeAsync(new MonitorRequest { Label = "Outbound relays" }, "192.0.2.64", 30, cts.Token);
        await RunAsync(app, At(12, 15), cts.Token);

        // Listed while the queue service is down: the alert is logged, its mail cannot be queued, the listing is undone.
        _dns.AddA("66.2.0.192.mon.test", "127.0.0.3");
        await queues.StopAsync();
        await RunAsync(app, At(12, 30), cts.Token);
        var whileDown = await admin.GetMonitorRangeAsync("192.0.2.64", 30, cts.Token);
        var errorsWhileDown = Errors();
        await queues.RestartAsync();

        // The next run finds the listing again and alerts again; this time the mail goes out, once.
        await RunAsync(app, At(12, 45), cts.Token);
        var listed = await admin.GetMonitorRangeAsync("192.0.2.64", 30, cts.Token);
        var listedMails = await AlertMailsAsync(app, 1, cts.Token);

        // Delisted while the queue service is frozen: the listing comes back, and the next run alerts the delisting.
        _dns.Remove("66.2.0.192.mon.test");
        queues.Freeze();
        await RunAsync(app, At(13, 0), cts.Token);
        var whileFrozen = await admin.GetMonitorRangeAsync("192.0.2.64", 30, cts.Token);
        queues.Thaw();
        await RunAsync(app, At(13, 15), cts.Token);
        await RunAsync(app, At(13, 30), cts.Token);
        var delisted = await admin.GetMonitorRangeAsync("192.0.2.64", 30, cts.Token);
        var mails = await AlertMailsAsync(app, 2, cts.Token);

        Assert.Empty(whileDown.Listings);
        Assert.Contains(errorsWhileDown, e => e.Id.Id == 1506
            && e.Message.Contains("Our address 192.0.2.66 is listed by mon.test", StringComparison.Ordinal)
            && e.Message.Contains("the next monitor run alerts again", StringComparison.Ordinal));
        var listing = Assert.Single(listed.Listings);
        Assert.Equal(("192.0.2.66", At(12, 45)), (listing.Address, listing.Since));
        Assert.Single(listedMails);
        var kept = Assert.Single(whileFrozen.Listings);
        Assert.Equal(At(12, 45), kept.Since);
        Assert.Contains(Errors(), e => e.Id.Id == 1506 && e.Message.Contains("Our address 192.0.2.66 is no longer listed by mon.test", StringComparison.Ordinal));
        Assert.DoesNotContain(Errors(), e => e.Id.Id == 1507);
        Assert.Empty(delisted.Listings);
        Assert.Single(mails, m => m.Contains("Subject: Our address 192.0.2.66 is listed by mon.test", StringComparison.Ordinal));
        // At least once: a frozen service may still take the message that timed out when it thaws, so the delisting
        // can arrive twice; it is never lost.
        Assert.InRange(mails.Count(m => m.Contains("Subject: Our address 192.0.2.66 is no longer listed by mon.test", StringComparison.Ordinal)), 1, 2);
        // Each change alerted twice in the log: once when its mail failed and once when it went out.
        Assert.Equal(4, Alerts().Count(a => a.Message.Contains("192.0.2.66", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Monitors_AdminRoutes_CreateReadReplaceListAndDelete()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var admin = _app.AdminClient();

        var created = await admin.PutMonitorAsync(new MonitorRequest { Label = "Relay 1" }, "2001:db8::25", cts.Token);
        var replaced = await admin.PutMonitorAsync(new MonitorRequest { Label = "Relay one" }, "2001:db8::25", cts.Token);
        await admin.PutMonitorRangeAsync(new MonitorRequest(), "192.0.2.8", 30, cts.Token);
        var all = await admin.ListMonitorsAsync(cts.Token);
        await admin.DeleteMonitorAsync("2001:db8::25", cts.Token);
        var missing = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => admin.GetMonitorAsync("2001:db8::25", cts.Token));

        Assert.Equal(("2001:db8::25/128", "Relay 1", 1), (created.Range, created.Label, created.Addresses));
        Assert.Equal("Relay one", replaced.Label);
        Assert.Equal(created.CreatedAt, replaced.CreatedAt);
        Assert.Equal(["192.0.2.8/30", "2001:db8::25/128"], all.Ranges.Select(r => r.Range));
        Assert.Equal((5, 8), (all.Addresses, all.MaxAddresses));
        Assert.Null(all.LastCheckedAt);
        Assert.Null(all.Ranges.First().Label);
        Assert.Equal(404, missing.StatusCode);
    }

    [Theory]
    [InlineData("192.0.2.0", 23, 400, "too big to monitor")]
    [InlineData("2001:db8::", 119, 400, "too big to monitor")]
    [InlineData("192.0.2.17", 28, 400, "host bits")]
    [InlineData("192.0.2.32", 28, 409, "more than Monitors__MaxAddresses (8)")]
    [InlineData("192.0.2.4", 32, 409, "overlaps 192.0.2.0/29")]
    public async Task PutMonitor_RangeBreaksARule_ProblemSaysWhich(string address, int prefixLength, int status, string detail)
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var admin = _app.AdminClient();
        await admin.PutMonitorRangeAsync(new MonitorRequest(), "192.0.2.0", 29, cts.Token);

        var problem = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => admin.PutMonitorRangeAsync(new MonitorRequest(), address, prefixLength, cts.Token));

        Assert.Equal(status, problem.StatusCode);
        Assert.Contains(detail, problem.Result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutMonitor_LabelWithControlCharacter_400NamingTheField()
    {
        using var cts = new CancellationTokenSource(s_timeout);

        var problem = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() =>
            _app.AdminClient().PutMonitorAsync(new MonitorRequest { Label = "relay\nBcc: x" }, "192.0.2.200", cts.Token));

        Assert.Equal(400, problem.StatusCode);
        Assert.Equal("label", Assert.Single(problem.Result.Errors!).Key);
    }

    [Fact]
    public async Task Monitors_FunctionKey_Refused()
    {
        using var cts = new CancellationTokenSource(s_timeout);

        var problem = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => _app.Client().ListMonitorsAsync(cts.Token));

        Assert.Equal(401, problem.StatusCode);
    }

    // The alert mails in the test app's pickup directory, once at least `count` are there (or the token runs out).
    private Task<List<string>> AlertMailsAsync(int count, CancellationToken cancellationToken) => AlertMailsAsync(_app, count, cancellationToken);

    private async Task<List<string>> AlertMailsAsync(BlocklistApiApp app, int count, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetTempPath(), "blocklist-test-mail", app.NamePrefix);
        List<string> Read() => Directory.Exists(directory)
            ? Directory.GetFiles(directory, "*.eml").Select(File.ReadAllText).Where(m => m.Contains("Subject: Our address", StringComparison.Ordinal)).ToList()
            : [];

        while (Read().Count < count)
        {
            _clock.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(50, cancellationToken);
        }

        // A moment more, so that a duplicate would show.
        _clock.Time.Advance(TimeSpan.FromSeconds(5));
        await Task.Delay(500, cancellationToken);
        return Read();
    }

    private BlocklistApiApp StartApp(IDictionary<string, string?> settings)
    {
        var app = new BlocklistApiApp(_azurite, settings, _clock.Time, services => services.AddLogging(b => b.AddProvider(new FakeLoggerProvider(_logs))));
        app.CreateClient().Dispose();
        return app;
    }

    private List<FakeLogRecord> Errors() => _logs.GetSnapshot().Where(r => r.Level == LogLevel.Error).ToList();

    private List<FakeLogRecord> Alerts() =>
        _logs.GetSnapshot().Where(r => r.Message.StartsWith("ALERT: ", StringComparison.Ordinal)).ToList();

    // Moves to the occurrence and waits until the run has stored its check time.
    private Task RunAsync(DateTimeOffset occurrence, CancellationToken cancellationToken) => RunAsync(_app, occurrence, cancellationToken);

    private async Task RunAsync(BlocklistApiApp app, DateTimeOffset occurrence, CancellationToken cancellationToken)
    {
        var admin = app.AdminClient();
        await _clock.AdvanceToAsync(occurrence, async () => (await admin.ListMonitorsAsync(cancellationToken)).LastCheckedAt == occurrence, cancellationToken);
    }

    private static DateTimeOffset At(int hour, int minute) => new(2026, 11, 28, hour, minute, 0, TimeSpan.Zero);
}
