using BlocklistApi.Client;
using BlocklistApi.Testing;

namespace BlocklistApi.IntegrationTests.Greylist;

/// <summary>
/// Whitelists by forward-confirmed rDNS name, allow zones and recipient opt-outs; suspicious mode; blocklisted
/// rejection. A loopback DNS server answers PTR/A and serves the test zones.
/// </summary>
public sealed class GreylistWhitelistTests : IAsyncLifetime
{
    private const string Sender = "alice@example.com";
    private LoopbackDnsServer _dns = null!;

    public Task InitializeAsync()
    {
        _dns = LoopbackDnsServer.Start();
        _dns.AddSoa("in-addr.arpa");
        Host("192.0.2.10", "mx1.mail.partner.example");
        _dns.AddPtr("11.2.0.192.in-addr.arpa", "mx2.mail.partner.example");
        _dns.AddA("mx2.mail.partner.example", "192.0.2.99");
        Host("192.0.2.12", "192-0-2-12.dsl.isp.example");
        Host("203.0.113.66", "mail.listed.example");
        Host("203.0.113.67", "mail.halflisted.example");
        foreach (var zone in new[] { "bl.test", "bl2.test", "wl.test" })
        {
            _dns.AddSoa(zone, minimum: 60);
        }

        _dns.AddA("66.113.0.203.bl.test", "127.0.0.2");
        _dns.AddA("67.113.0.203.bl2.test", "127.0.0.2");
        _dns.AddA("40.2.0.192.wl.test", "127.0.0.2");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _dns.DisposeAsync();

    [Fact]
    public async Task GreylistCheck_ForwardConfirmedNameOnClientWhitelist_IsWhitelisted()
    {
        await using var g = await StartAsync(new() { ["Greylist:WhitelistClients:0"] = "mail.partner.example" });

        var confirmed = await g.CheckAsync("192.0.2.10", Sender, GreylistHarness.NewRecipient());
        var notConfirmed = await g.CheckAsync("192.0.2.11", Sender, GreylistHarness.NewRecipient());

        Assert.Equal(GreylistReason.Whitelisted, confirmed.Reason);
        Assert.Equal(GreylistReason.New, notConfirmed.Reason);
    }

    [Fact]
    public async Task GreylistCheck_ClientOnAllowZone_IsWhitelisted()
    {
        await using var g = await StartAsync(new() { ["Dnsbl:Zones:0:Zone"] = "wl.test", ["Dnsbl:Zones:0:Kind"] = "allow" });

        var allowed = await g.CheckAsync("192.0.2.40", Sender, GreylistHarness.NewRecipient());
        var other = await g.CheckAsync("192.0.2.41", Sender, GreylistHarness.NewRecipient());

        Assert.Equal(GreylistReason.Whitelisted, allowed.Reason);
        Assert.Equal(GreylistReason.New, other.Reason);
    }

    [Fact]
    public async Task GreylistCheck_ConfiguredRecipientOptOuts_ReplacePostgreysDefaults()
    {
        await using var g = await StartAsync(new() { ["Greylist:WhitelistRecipients:0"] = "optout.example", ["Greylist:WhitelistRecipients:1"] = "carol@example.net" });

        var domain = await g.CheckAsync("192.0.2.20", Sender, "anyone@sub.optout.example");
        var user = await g.CheckAsync("192.0.2.20", Sender, "carol+lists@example.net");
        var postmaster = await g.CheckAsync("192.0.2.20", Sender, "postmaster@example.net");

        Assert.Equal(GreylistReason.Whitelisted, domain.Reason);
        Assert.Equal(GreylistReason.Whitelisted, user.Reason);
        Assert.Equal(GreylistReason.New, postmaster.Reason);
    }

    [Fact]
    public async Task GreylistCheck_SuspiciousMode_GreylistsOnlySuspiciousClients()
    {
        await using var g = await StartAsync(new()
        {
            ["Greylist:Mode"] = "suspicious",
            ["Dnsbl:Zones:0:Zone"] = "bl.test",
            ["Dnsbl:Zones:0:Weight"] = "2",
        });

        var server = await g.CheckAsync("192.0.2.10", Sender, GreylistHarness.NewRecipient());
        var dynamicName = await g.CheckAsync("192.0.2.12", Sender, GreylistHarness.NewRecipient());
        var noName = await g.CheckAsync("192.0.2.13", Sender, GreylistHarness.NewRecipient());
        var notConfirmed = await g.CheckAsync("192.0.2.11", Sender, GreylistHarness.NewRecipient());
        var listed = await g.CheckAsync("203.0.113.66", Sender, GreylistHarness.NewRecipient());

        Assert.Equal((GreylistAction.Accept, GreylistReason.Trusted), (server.Action, server.Reason));
        Assert.Equal(GreylistReason.New, dynamicName.Reason);
        Assert.Equal(GreylistReason.New, noName.Reason);
        Assert.Equal(GreylistReason.New, notConfirmed.Reason);
        Assert.Equal(GreylistReason.New, listed.Reason);
    }

    [Fact]
    public async Task GreylistCheck_ListedAboveRejectScore_IsRejectedAndBelowIsGreylisted()
    {
        await using var g = await StartAsync(new()
        {
            ["Greylist:BlocklistReject"] = "true",
            ["Greylist:BlocklistRejectScore"] = "1",
            ["Dnsbl:Zones:0:Zone"] = "bl.test",
            ["Dnsbl:Zones:0:Weight"] = "2",
            ["Dnsbl:Zones:1:Zone"] = "bl2.test",
            ["Dnsbl:Zones:2:Zone"] = "wl.test",
            ["Dnsbl:Zones:2:Kind"] = "allow",
            ["PublicPage:Url"] = "https://blocklist.example/why",
        });

        var listed = await g.CheckAsync("203.0.113.66", Sender, GreylistHarness.NewRecipient());
        var halfListed = await g.CheckAsync("203.0.113.67", Sender, GreylistHarness.NewRecipient());
        var allowed = await g.CheckAsync("192.0.2.40", Sender, GreylistHarness.NewRecipient());

        Assert.Equal((GreylistAction.Reject, GreylistReason.Blocklisted), (listed.Action, listed.Reason));
        Assert.StartsWith("554 5.7.1 ", listed.SmtpReply, StringComparison.Ordinal);
        Assert.Contains("bl.test", listed.SmtpReply, StringComparison.Ordinal);
        Assert.Contains("https://blocklist.example/why", listed.SmtpReply, StringComparison.Ordinal);
        Assert.Equal((GreylistAction.Defer, GreylistReason.New), (halfListed.Action, halfListed.Reason));
        Assert.Equal(GreylistReason.Whitelisted, allowed.Reason);
    }

    [Fact]
    public async Task GreylistCheck_ListedClientWithoutRejectSwitch_IsGreylisted()
    {
        await using var g = await StartAsync(new() { ["Dnsbl:Zones:0:Zone"] = "bl.test", ["Dnsbl:Zones:0:Weight"] = "5" });

        var listed = await g.CheckAsync("203.0.113.66", Sender, GreylistHarness.NewRecipient());

        Assert.Equal(GreylistReason.New, listed.Reason);
    }

    private Task<GreylistHarness> StartAsync(Dictionary<string, string?> settings)
    {
        settings["Dns:Servers:0"] = _dns.Server;
        return GreylistHarness.StartAsync(settings);
    }

    private void Host(string address, string name)
    {
        var labels = address.Split('.');
        _dns.AddPtr($"{labels[3]}.{labels[2]}.{labels[1]}.{labels[0]}.in-addr.arpa", name);
        _dns.AddA(name, address);
    }
}
