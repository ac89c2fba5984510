using BlocklistApi.Client;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Testing;
using static BlocklistApi.IntegrationTests.Diagnostics.DiagnosticsZones;

namespace BlocklistApi.IntegrationTests.Diagnostics;

/// <summary>The banner check against a real SMTP server (aiosmtpd) on loopback, allow-listed on its own port.</summary>
public sealed class SmtpBannerTests
{
    [SkippableTheory]
    [InlineData(GoodHost, CheckStatus.Pass, "greets as mail.good.test, its rDNS name")]
    [InlineData("relay.other.test", CheckStatus.Warn, "greets as relay.other.test, but the rDNS name of 127.0.0.1 is mail.good.test")]
    public async Task Banner_RealSmtpServer_GreetingIsReadAndComparedWithRdns(string greetsAs, CheckStatus status, string detail)
    {
        var skip = Peers.SkipReason(AiosmtpdServer.Unavailable);
        Skip.If(skip is not null, skip);
        await using var dns = LoopbackDnsServer.Start();
        Serve(dns);
        await using var smtp = await AiosmtpdServer.StartAsync(greetsAs);
        await using var app = new BlocklistApiApp(await AzuriteServer.Shared, Settings(dns, new Dictionary<string, string?>
        {
            ["Diagnostics:Banner:Enabled"] = "true",
            ["Diagnostics:Banner:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Diagnostics:Banner:AllowedNetworks:0"] = "127.0.0.1/32",
        }));

        var report = await app.Client(key: null).GetDiagnosticsAsync(GoodIp, null, null, Timeout());

        var banner = report.Check("banner");
        Assert.True(banner.Status == status, $"{banner.Status}: {banner.Detail} / {smtp.Output()}");
        Assert.Contains(detail, banner.Detail, StringComparison.Ordinal);
        Assert.Equal(220, banner.Data().GetProperty("code").GetInt32());
        Assert.StartsWith($"220 {greetsAs} Python SMTP", banner.Data().GetProperty("greeting").GetString(), StringComparison.Ordinal);

        // Without a HELO name given, the helo check takes the greeting's name.
        var helo = report.Check("helo");
        Assert.Equal("banner", helo.Data().GetProperty("source").GetString());
        Assert.Equal(greetsAs, helo.Data().GetProperty("helo").GetString());
    }
}
