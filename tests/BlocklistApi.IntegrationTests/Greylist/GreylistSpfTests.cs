using BlocklistApi.Client;
using BlocklistApi.Storage;
using BlocklistApi.Testing;

namespace BlocklistApi.IntegrationTests.Greylist;

/// <summary>
/// Big senders retry from other networks of their pool: a retry from an address the sender domain's SPF authorises
/// continues the triplet of the first network. SPF records come from a loopback DNS server.
/// </summary>
public abstract class GreylistSpfTests(StorageProvider provider) : IAsyncLifetime
{
    private const string Sender = "bounce-4711@pool.example";
    private LoopbackDnsServer _dns = null!;

    public Task InitializeAsync()
    {
        _dns = LoopbackDnsServer.Start();
        _dns.AddSoa("pool.example");
        _dns.AddTxt("pool.example", "v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.0/24 ip6:2001:db8:5::/48 -all");
        _dns.AddTxt("mta.pool.example", "v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.0/24 -all");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _dns.DisposeAsync();

    [Fact]
    public async Task GreylistCheck_RetryFromNetworkTheSenderSpfAuthorises_PassesAsSameClient()
    {
        await using var g = await StartAsync();
        var recipient = GreylistHarness.NewRecipient();

        var first = await g.CheckAsync("192.0.2.10", Sender, recipient);
        g.Advance(TimeSpan.FromMinutes(6));
        var retry = await g.CheckAsync("198.51.100.20", Sender, recipient);
        g.Advance(TimeSpan.FromSeconds(2));
        var queries = _dns.QueryCount;
        var again = await g.CheckAsync("198.51.100.20", Sender, recipient);

        Assert.Equal(GreylistReason.New, first.Reason);
        Assert.Equal(GreylistAction.Accept, retry.Action);
        Assert.Equal(GreylistReason.Passed, retry.Reason);
        Assert.Equal(GreylistReason.Known, again.Reason);
        // The adopted state was stored as the new network's row: no SPF lookup the second time.
        Assert.Equal(queries, _dns.QueryCount);
    }

    [Fact]
    public async Task GreylistCheck_RetryFromNetworkSpfDoesNotAuthorise_StartsOver()
    {
        await using var g = await StartAsync();
        var recipient = GreylistHarness.NewRecipient();

        await g.CheckAsync("192.0.2.10", Sender, recipient);
        g.Advance(TimeSpan.FromMinutes(6));
        var retry = await g.CheckAsync("203.0.113.5", Sender, recipient);

        Assert.Equal(GreylistAction.Defer, retry.Action);
        Assert.Equal(GreylistReason.New, retry.Reason);
    }

    [Fact]
    public async Task GreylistCheck_KnownTripletNewMessageFromOtherAuthorisedNetwork_IsKnownAtOnce()
    {
        await using var g = await StartAsync();
        var recipient = GreylistHarness.NewRecipient();

        await g.CheckAsync("192.0.2.10", Sender, recipient);
        g.Advance(TimeSpan.FromMinutes(6));
        await g.CheckAsync("192.0.2.10", Sender, recipient);
        g.Advance(TimeSpan.FromHours(3));
        var fromIpv6 = await g.CheckAsync("2001:db8:5:1::25", Sender, recipient);

        Assert.Equal(GreylistReason.Known, fromIpv6.Reason);
    }

    [Fact]
    public async Task GreylistCheck_AuthorisedRetryTooEarly_IsTooEarlyNotNew()
    {
        await using var g = await StartAsync();
        var recipient = GreylistHarness.NewRecipient();

        await g.CheckAsync("192.0.2.10", Sender, recipient);
        g.Advance(TimeSpan.FromMinutes(2));
        var retry = await g.CheckAsync("198.51.100.20", Sender, recipient);

        Assert.Equal(GreylistReason.TooEarly, retry.Reason);
        Assert.InRange(retry.RetryAfterSeconds, 179, 181);
    }

    [Fact]
    public async Task GreylistCheck_NullSenderRetry_UsesHeloNameSpf()
    {
        await using var g = await StartAsync();
        var recipient = GreylistHarness.NewRecipient();

        await g.CheckAsync("192.0.2.10", "", recipient, heloName: "mta.pool.example");
        g.Advance(TimeSpan.FromMinutes(6));
        var authorised = await g.CheckAsync("198.51.100.20", "", recipient, heloName: "mta.pool.example");

        Assert.Equal(GreylistReason.Passed, authorised.Reason);
    }

    [Fact]
    public async Task GreylistCheck_SpfSameClientOff_RetryFromOtherNetworkStartsOver()
    {
        await using var g = await StartAsync(new() { ["Greylist:SpfSameClient"] = "false" });
        var recipient = GreylistHarness.NewRecipient();

        await g.CheckAsync("192.0.2.10", Sender, recipient);
        g.Advance(TimeSpan.FromMinutes(6));
        var retry = await g.CheckAsync("198.51.100.20", Sender, recipient);

        Assert.Equal(GreylistReason.New, retry.Reason);
    }

    private Task<GreylistHarness> StartAsync(Dictionary<string, string?>? settings = null)
    {
        settings ??= [];
        settings["Dns:Servers:0"] = _dns.Server;
        return GreylistHarness.StartAsync(provider, settings);
    }
}

public sealed class GreylistSpfAzuriteTests() : GreylistSpfTests(StorageProvider.Azure);

public sealed class GreylistSpfSqliteTests() : GreylistSpfTests(StorageProvider.Sqlite);
