using BlocklistApi.Client;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Testing;

namespace BlocklistApi.IntegrationTests.Reputation;

/// <summary>GET /v1/reputation/{ip} through the generated client, against rbldnsd and Azurite.</summary>
public sealed class ReputationApiTests : IAsyncLifetime
{
    private RbldnsdServer? _rbldnsd;
    private BlocklistApiApp? _app;

    public async Task InitializeAsync()
    {
        if (Peers.SkipReason(RbldnsdServer.Unavailable) is not null)
        {
            return;
        }

        _rbldnsd = await RbldnsdServer.StartAsync(ReputationZones.BlockV4, ReputationZones.BlockV6, ReputationZones.Zen, ReputationZones.Dnswl);
        var azurite = await AzuriteServer.Shared;
        _app = new BlocklistApiApp(azurite, new Dictionary<string, string?>
        {
            ["Dns:Servers:0"] = _rbldnsd.Server,
            ["Dnsbl:Zones:0:Zone"] = "bl.test",
            ["Dnsbl:Zones:0:DelistUrl"] = "https://bl.test/remove?ip={ip}",
            ["Dnsbl:Zones:1:Zone"] = "zen.spamhaus.org",
            ["Dnsbl:Zones:1:Weight"] = "2",
            ["Dnsbl:Zones:2:Zone"] = "list.dnswl.org",
            ["Dnsbl:Zones:2:Kind"] = "allow",
            ["Dnsbl:Zones:2:Weight"] = "1",
        });
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        if (_rbldnsd is not null)
        {
            await _rbldnsd.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task Reputation_Rfc5782TestPoints_127002ListedAnd127001Not()
    {
        var client = Client();

        var listed = await client.GetReputationAsync("127.0.0.2");
        var notListed = await client.GetReputationAsync("127.0.0.1");

        var bl = listed.Listings.Single(l => l.Zone == "bl.test");
        Assert.True(bl.Listed);
        Assert.Equal(["127.0.0.2"], bl.Codes);
        Assert.Equal(Verdict.Listed, listed.Verdict);
        Assert.All(notListed.Listings, l => Assert.False(l.Listed));
        Assert.All(notListed.Listings, l => Assert.Equal(ZoneStatus.Ok, l.Status));
        Assert.Equal(Verdict.Clean, notListed.Verdict);
    }

    private BlocklistApiClient Client()
    {
        Skip.If(_app is null, RbldnsdServer.Unavailable);
        return _app!.Client();
    }
}
