using BlocklistApi.Client;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Testing;

namespace BlocklistApi.IntegrationTests.Spf;

/// <summary>GET /v1/spf through the generated client, on the self-host with Azurite and a loopback DNS server.</summary>
public sealed class SpfApiTests : IAsyncLifetime
{
    private LoopbackDnsServer? _dns;
    private BlocklistApiApp? _app;

    public async Task InitializeAsync()
    {
        _dns = LoopbackDnsServer.Start();
        _dns.AddTxt("example.test", "v=spf1 ip4:192.0.2.0/24 include:_spf.example.test -all exp=explain.example.test");
        // A record published in two strings, joined without a space (RFC 7208 section 3.3).
        _dns.AddTxt("_spf.example.test", "v=spf1 ip6:2001:db8:", ":/32 ~all");
        _dns.AddTxt("explain.example.test", "%{i} is not one of %{d}'s mail servers, see https://example.test/spf");
        _dns.AddTxt("mail.example.test", "v=spf1 a -all");
        _dns.AddA("mail.example.test", "203.0.113.25");
        _dns.SetTimeout("slow.example.test");
        _app = new BlocklistApiApp(await AzuriteServer.Shared, new Dictionary<string, string?>
        {
            ["Dns:Servers:0"] = _dns.Server,
            ["Dns:Timeout"] = "00:00:01",
            ["Dns:Retries"] = "0",
        });
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        if (_dns is not null)
        {
            await _dns.DisposeAsync();
        }
    }

    [Fact]
    public async Task Spf_ClientInIp4Range_Passes()
    {
        var report = await _app!.Client().GetSpfAsync("192.0.2.10", "bounce@example.test", "mail.example.test", Timeout());

        Assert.Equal(SpfResult.Pass, report.Result);
        Assert.Equal("ip4:192.0.2.0/24", report.Mechanism);
        Assert.Null(report.Explanation);
        Assert.Equal(0, report.DnsLookups);
        Assert.Equal(SpfIdentity.Mailfrom, report.Identity);
        Assert.Equal("example.test", report.Domain);
    }

    [Fact]
    public async Task Spf_IncludedRecordSoftFails_FallsThroughToFail()
    {
        var report = await _app!.Client().GetSpfAsync("2001:db9::1", "bounce@example.test", null, Timeout());

        Assert.Equal(SpfResult.Fail, report.Result);
        Assert.Equal("-all", report.Mechanism);
        Assert.Equal(1, report.DnsLookups);
    }

    [Fact]
    public async Task Spf_ClientNotAuthorized_FailsWithTheDomainsExplanation()
    {
        var report = await _app!.Client().GetSpfAsync("198.51.100.7", "bounce@example.test", null, Timeout());

        Assert.Equal(SpfResult.Fail, report.Result);
        Assert.Equal("-all", report.Mechanism);
        Assert.Equal("198.51.100.7 is not one of example.test's mail servers, see https://example.test/spf", report.Explanation);
        Assert.Equal(1, report.DnsLookups);
    }

    [Fact]
    public async Task Spf_IncludedIp6Range_Passes()
    {
        var report = await _app!.Client().GetSpfAsync("2001:db8::25", "bounce@example.test", null, Timeout());

        Assert.Equal(SpfResult.Pass, report.Result);
        Assert.Equal("include:_spf.example.test", report.Mechanism);
    }

    [Fact]
    public async Task Spf_NullSender_ChecksHeloAsPostmaster()
    {
        var report = await _app!.Client().GetSpfAsync("203.0.113.25", "", "mail.example.test", Timeout());

        Assert.Equal(SpfResult.Pass, report.Result);
        Assert.Equal(SpfIdentity.Helo, report.Identity);
        Assert.Equal("mail.example.test", report.Domain);
        Assert.Equal("a", report.Mechanism);
    }

    [Fact]
    public async Task Spf_SenderDomainTimesOut_GivesTempError()
    {
        var report = await _app!.Client().GetSpfAsync("192.0.2.10", "someone@slow.example.test", null, Timeout());

        Assert.Equal(SpfResult.Temperror, report.Result);
        Assert.Contains("timed out", report.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.2.3", "bounce@example.test", "four dot-separated", "ip")]
    [InlineData("192.0.2.1:25", "bounce@example.test", "port", "ip")]
    [InlineData("", "bounce@example.test", "required", "ip")]
    [InlineData("192.0.2.1", "", "sender", "helo")]
    public async Task Spf_BadRequest_Returns400ProblemSayingWhatToFix(string ip, string sender, string hint, string field)
    {
        var error = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => _app!.Client().GetSpfAsync(ip, sender, null, Timeout()));

        Assert.Equal(400, error.StatusCode);
        Assert.Contains(hint, error.Result.Detail, StringComparison.Ordinal);
        Assert.Equal(field, Assert.Single(error.Result.Errors!).Key);
    }

    [Fact]
    public async Task Spf_WithoutKey_Returns401()
    {
        var error = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => _app!.Client(key: null).GetSpfAsync("192.0.2.10", "bounce@example.test", null, Timeout()));

        Assert.Equal(401, error.StatusCode);
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;
}
