using System.Diagnostics;
using BlocklistApi.Client;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Testing;
using Microsoft.Extensions.Time.Testing;
using static BlocklistApi.IntegrationTests.Diagnostics.DiagnosticsZones;

namespace BlocklistApi.IntegrationTests.Diagnostics;

/// <summary>GET /v1/diagnostics/{ip} through the generated client, on the self-host with Azurite and a loopback DNS server.</summary>
public sealed class DiagnosticsApiTests : IAsyncLifetime
{
    private static readonly string[] s_checkNames = ["rdns", "fcrdns", "helo", "banner", "spf", "ttl", "mx", "same-ip", "listings"];
    private LoopbackDnsServer _dns = null!;
    private SmtpGreeter _greeter = null!;
    private readonly List<BlocklistApiApp> _apps = [];

    public Task InitializeAsync()
    {
        _dns = LoopbackDnsServer.Start();
        Serve(_dns);
        _greeter = SmtpGreeter.Start($"220-{GoodHost} ESMTP ready\r\n220 no UCE\r\n");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.DisposeAsync();
        }

        await _greeter.DisposeAsync();
        await _dns.DisposeAsync();
    }

    [Fact]
    public async Task Diagnostics_WellConfiguredSender_PassesEveryCheck()
    {
        var client = await StartAsync(new()
        {
            ["Diagnostics:Banner:Enabled"] = "true",
            ["Diagnostics:Banner:Port"] = _greeter.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Diagnostics:Banner:AllowedNetworks:0"] = "127.0.0.1/32",
        });

        var report = await client.GetDiagnosticsAsync(GoodIp, GoodHost, GoodSender, Timeout());

        Assert.Equal(GoodIp, report.Ip);
        Assert.Equal(s_checkNames, report.Checks.Select(c => WireName(c.Name)));
        Assert.All(report.Checks, c => Assert.True(c.Status == CheckStatus.Pass, $"{c.Name}: {c.Status}: {c.Detail}"));
        Assert.All(report.Checks, c => Assert.Null(c.Advice));
        Assert.Equal(GoodHost, report.Check("fcrdns").Data().GetProperty("confirmedName").GetString());
        Assert.Equal(GoodHost, report.Check("banner").Data().GetProperty("host").GetString());
        Assert.Equal(1, _greeter.Quits);
        Assert.Equal("pass", report.Check("spf").Data().GetProperty("mailFrom").GetProperty("result").GetString());
        Assert.Equal("pass", report.Check("spf").Data().GetProperty("helo").GetProperty("result").GetString());
        var ttls = report.Check("ttl").Data().GetProperty("records").EnumerateArray().Select(r => $"{r.GetProperty("name").GetString()} {r.GetProperty("type").GetString()} {r.GetProperty("ttl").GetInt32()}").ToList();
        Assert.Contains("1.0.0.127.in-addr.arpa PTR 86400", ttls);
        Assert.Contains("0.0.127.in-addr.arpa NS 86400", ttls);
        Assert.Contains("good.test MX 86400", ttls);
        Assert.Contains("good.test NS 86400", ttls);
        Assert.Contains("mail.good.test A 86400", ttls);
        Assert.True(report.Check("same-ip").Data().GetProperty("sameIp").GetBoolean());
        Assert.Equal("clean", report.Check("listings").Data().GetProperty("verdict").GetString());
    }

    [Fact]
    public async Task Diagnostics_BrokenSender_FailsWithAdviceForEachProblem()
    {
        var client = await StartAsync();

        var report = await client.GetDiagnosticsAsync(BrokenIp, BrokenHelo, BrokenSender, Timeout());

        Assert.Equal(s_checkNames, report.Checks.Select(c => WireName(c.Name)));
        AssertCheck(report, "rdns", CheckStatus.Fail, "has no reverse DNS", "reverse DNS (PTR record)");
        AssertCheck(report, "fcrdns", CheckStatus.Fail, "no PTR name", "A record");
        AssertCheck(report, "helo", CheckStatus.Fail, "mail.broken.test resolves to 198.51.100.99, not 192.0.2.10", "smtp_helo_name");
        AssertCheck(report, "spf", CheckStatus.Fail, "does not allow 192.0.2.10 (-all)", "Add ip4:192.0.2.10 to the SPF record of broken.test");
        AssertCheck(report, "ttl", CheckStatus.Warn, "broken.test NS 300 s", "at least 43200 s");
        AssertCheck(report, "mx", CheckStatus.Fail, "broken.test has no MX record and no address", "Publish an MX record for broken.test");
        AssertCheck(report, "same-ip", CheckStatus.Warn, "has no MX host", "separate outbound server");
        AssertCheck(report, "listings", CheckStatus.Fail, "listed by bl.test", "ask each list for removal");
        var listed = Assert.Single(report.Check("listings").Data().GetProperty("listedBy").EnumerateArray());
        Assert.Equal("https://bl.test/lookup?ip=192.0.2.10", listed.GetProperty("delistUrl").GetString());
        Assert.Equal("Sent spam to our traps", listed.GetProperty("reasons")[0].GetString());

        // The banner check is off by default, and says so rather than disappearing.
        var banner = AssertCheck(report, "banner", CheckStatus.Warn, "Not checked", "nc 192.0.2.10 25");
        Assert.True(banner.Data().GetProperty("skipped").GetBoolean());
        Assert.Equal("disabled", banner.Data().GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Diagnostics_PtrNameNotPointingBack_FailsForwardConfirmation()
    {
        var client = await StartAsync();

        var report = await client.GetDiagnosticsAsync(UnconfirmedIp, null, null, Timeout());

        AssertCheck(report, "rdns", CheckStatus.Pass, "host.broken.test", null);
        AssertCheck(report, "fcrdns", CheckStatus.Fail, "host.broken.test resolves to 192.0.2.99, not 192.0.2.20", "Add an A record for host.broken.test pointing to 192.0.2.20");
    }

    [Fact]
    public async Task Diagnostics_GenericPtrName_WarnsEvenWhenConfirmed()
    {
        var client = await StartAsync();

        var report = await client.GetDiagnosticsAsync(GenericIp, null, null, Timeout());

        AssertCheck(report, "rdns", CheckStatus.Warn, "contains the address itself", "a name of your own");
        AssertCheck(report, "fcrdns", CheckStatus.Pass, "192-0-2-40.dyn.isp.test resolves back to 192.0.2.40", null);
    }

    [Fact]
    public async Task Diagnostics_NoSenderOrHelo_SaysWhichChecksDidNotRun()
    {
        var client = await StartAsync();

        var report = await client.GetDiagnosticsAsync(GoodIp, null, null, Timeout());

        foreach (var name in new[] { "helo", "spf", "mx", "same-ip" })
        {
            var check = AssertCheck(report, name, CheckStatus.Warn, "Not checked", "Enter the");
            Assert.True(check.Data().GetProperty("skipped").GetBoolean());
        }

        AssertCheck(report, "ttl", CheckStatus.Pass, "Give the sender address", null);
    }

    [Fact]
    public async Task Diagnostics_DnsTimesOut_GivesErrorStatusesNotA500()
    {
        var client = await StartAsync();
        var stopwatch = Stopwatch.StartNew();

        var report = await client.GetDiagnosticsAsync(SlowIp, null, SlowSender, Timeout());

        // Each lookup gives up after Dns:Timeout (1 s, one retry); the report must come back within Diagnostics:Timeout
        // (15 s) instead of hanging. The bound is that deadline plus room for a loaded machine; the statuses are exact.
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(25), $"took {stopwatch.Elapsed}");
        AssertCheck(report, "rdns", CheckStatus.Error, "timed out", "Try again");
        AssertCheck(report, "fcrdns", CheckStatus.Error, "timed out", "Try again");
        AssertCheck(report, "spf", CheckStatus.Error, "timed out", "Try again");
        AssertCheck(report, "ttl", CheckStatus.Error, "timed out", "Try again");
        AssertCheck(report, "mx", CheckStatus.Error, "timed out", "Try again");
        AssertCheck(report, "same-ip", CheckStatus.Error, "could not be looked up", "Try again");
        AssertCheck(report, "listings", CheckStatus.Pass, "not listed", null);
    }

    [Fact]
    public async Task Diagnostics_OverallDeadline_TurnsUnfinishedChecksIntoErrors()
    {
        // SPF may take 20 s (Spf:Timeout) and DNS 5 s a query; the report must still answer within Diagnostics:Timeout.
        var client = await StartAsync(new() { ["Dns:Timeout"] = "00:00:05", ["Diagnostics:Timeout"] = "00:00:02", ["Diagnostics:Banner:ConnectTimeout"] = "00:00:00.5", ["Diagnostics:Banner:GreetingTimeout"] = "00:00:00.5" });
        var stopwatch = Stopwatch.StartNew();

        var report = await client.GetDiagnosticsAsync(SlowIp, null, SlowSender, Timeout());

        // Without the 2 s deadline the SPF check alone would run 20 s: 12 s tells them apart with room for a loaded machine.
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(12), $"took {stopwatch.Elapsed}");
        AssertCheck(report, "rdns", CheckStatus.Error, "did not finish within 2 s", "Try again");
        AssertCheck(report, "spf", CheckStatus.Error, "did not finish within 2 s", "Try again");
    }

    [Fact]
    public async Task Banner_LoopbackWithoutAllowList_IsRefusedWithoutConnecting()
    {
        var client = await StartAsync(new()
        {
            ["Diagnostics:Banner:Enabled"] = "true",
            ["Diagnostics:Banner:Port"] = _greeter.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        var report = await client.GetDiagnosticsAsync(GoodIp, null, null, Timeout());

        var banner = AssertCheck(report, "banner", CheckStatus.Warn, "127.0.0.1 is a loopback address", "public address");
        Assert.Equal("not-public", banner.Data().GetProperty("reason").GetString());
        Assert.Equal(0, _greeter.Connections);
    }

    [Fact]
    public async Task Banner_NothingListening_WarnsThatThePortIsClosed()
    {
        var client = await StartAsync(new()
        {
            ["Diagnostics:Banner:Enabled"] = "true",
            ["Diagnostics:Banner:Port"] = FreePorts.Tcp().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Diagnostics:Banner:AllowedNetworks:0"] = "127.0.0.0/8",
        });

        var report = await client.GetDiagnosticsAsync(GoodIp, GoodHost, null, Timeout());

        AssertCheck(report, "banner", CheckStatus.Warn, "refused the connection", "open TCP port");
    }

    [Fact]
    public async Task Banner_SilentServer_WarnsAfterTheGreetingTimeout()
    {
        await using var silent = SmtpGreeter.Start(delay: TimeSpan.FromSeconds(30));
        var client = await StartAsync(new()
        {
            ["Diagnostics:Banner:Enabled"] = "true",
            ["Diagnostics:Banner:Port"] = silent.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Diagnostics:Banner:AllowedNetworks:0"] = "127.0.0.1/32",
            ["Diagnostics:Banner:GreetingTimeout"] = "00:00:01",
        });

        var report = await client.GetDiagnosticsAsync(GoodIp, GoodHost, null, Timeout());

        AssertCheck(report, "banner", CheckStatus.Warn, "no greeting came within 1 s", "greets within a few seconds");
        Assert.Equal(1, silent.Connections);
    }

    [Theory]
    [InlineData("1.2.3", null, null, "four dot-separated", "ip")]
    [InlineData("192.0.2.1:25", null, null, "port", "ip")]
    [InlineData("0x7f.0.0.1", null, null, "not an IPv4 address", "ip")]
    [InlineData("fe80::1%eth0", null, null, "zone id", "ip")]
    [InlineData("192.0.2.1", "mail example", null, "helo:", "helo")]
    [InlineData("192.0.2.1", null, "bounce@", "sender:", "sender")]
    public async Task Diagnostics_BadInput_Returns400ProblemSayingWhatToFix(string ip, string? helo, string? sender, string hint, string field)
    {
        var client = await StartAsync();

        var error = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => client.GetDiagnosticsAsync(ip, helo, sender, Timeout()));

        Assert.Equal(400, error.StatusCode);
        Assert.Contains(hint, error.Result.Detail, StringComparison.Ordinal);
        Assert.Equal(field, Assert.Single(error.Result.Errors!).Key);
    }

    [Fact]
    public async Task Diagnostics_OverTheRateLimit_Returns429WithRetryAfterUntilAPermitIsBack()
    {
        var time = new FakeTimeProvider();
        var client = await StartAsync(new() { ["RateLimit:PermitsPerMinute"] = "2" }, time);
        await client.GetDiagnosticsAsync(UnconfirmedIp, null, null, Timeout());
        await client.GetDiagnosticsAsync(UnconfirmedIp, null, null, Timeout());

        var error = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => client.GetDiagnosticsAsync(UnconfirmedIp, null, null, Timeout()));

        Assert.Equal(429, error.StatusCode);
        Assert.Equal("30", Assert.Single(error.Headers["Retry-After"]));
        Assert.Contains("30 s", error.Result.Detail, StringComparison.Ordinal);
        // Bad requests count too, and are refused before they are parsed.
        Assert.Equal(429, (await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => client.GetDiagnosticsAsync("1.2.3", null, null, Timeout()))).StatusCode);

        time.Advance(TimeSpan.FromSeconds(30));
        var report = await client.GetDiagnosticsAsync(UnconfirmedIp, null, null, Timeout());
        Assert.Equal(UnconfirmedIp, report.Ip);
    }

    private async Task<BlocklistApiClient> StartAsync(Dictionary<string, string?>? settings = null, TimeProvider? time = null)
    {
        var app = new BlocklistApiApp(await AzuriteServer.Shared, Settings(_dns, settings), time);
        _apps.Add(app);
        // Anonymous routes: no key.
        return app.Client(key: null);
    }

    private static DiagnosticCheck AssertCheck(DiagnosticsReport report, string name, CheckStatus status, string detail, string? advice)
    {
        var check = report.Check(name);
        Assert.True(check.Status == status, $"{name}: expected {status}, got {check.Status}: {check.Detail}");
        Assert.Contains(detail, check.Detail, StringComparison.Ordinal);
        if (advice is null)
        {
            Assert.Null(check.Advice);
        }
        else
        {
            Assert.Contains(advice, check.Advice, StringComparison.Ordinal);
        }

        return check;
    }
}
