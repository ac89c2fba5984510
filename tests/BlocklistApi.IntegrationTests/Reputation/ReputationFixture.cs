using BlocklistApi.Client;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Testing;

namespace BlocklistApi.IntegrationTests.Reputation;

/// <summary>
/// rbldnsd serving the test zones, a silent loopback DNS server for a zone that times out, and the self-host on
/// Azurite with four zones configured. Shared by a test class; its tests use distinct addresses.
/// </summary>
public sealed class ReputationFixture : IAsyncLifetime
{
    private RbldnsdServer? _rbldnsd;
    private LoopbackDnsServer? _silent;

    public BlocklistApiApp? App { get; private set; }

    public string? SkipReason { get; private set; }

    public async Task InitializeAsync()
    {
        SkipReason = Peers.SkipReason(RbldnsdServer.Unavailable);
        if (SkipReason is not null)
        {
            return;
        }

        _rbldnsd = await RbldnsdServer.StartAsync(ReputationZones.BlockV4, ReputationZones.BlockV6, ReputationZones.Zen, ReputationZones.Dnswl);
        _silent = LoopbackDnsServer.Start();
        _silent.SetTimeout("*.slow.test");
        App = new BlocklistApiApp(await AzuriteServer.Shared, new Dictionary<string, string?>
        {
            ["Dns:Servers:0"] = _rbldnsd.Server,
            ["Dnsbl:Zones:0:Zone"] = "bl.test",
            ["Dnsbl:Zones:0:DelistUrl"] = "https://bl.test/remove?ip={ip}",
            ["Dnsbl:Zones:1:Zone"] = "zen.spamhaus.org",
            ["Dnsbl:Zones:1:Weight"] = "2",
            ["Dnsbl:Zones:2:Zone"] = "list.dnswl.org",
            ["Dnsbl:Zones:2:Kind"] = "allow",
            ["Dnsbl:Zones:2:Weight"] = "5",
            ["Dnsbl:Zones:3:Zone"] = "slow.test",
            ["Dnsbl:Zones:3:Servers:0"] = _silent.Server,
            ["Dnsbl:Zones:3:Timeout"] = "00:00:00.500",
            // These tests are about answers, on real time: slow.test must stay a zone that times out, however long
            // the class runs, instead of being disabled by zone health (Zones/ZoneHealthTests test that).
            ["ZoneHealth:FailuresToDisable"] = "1000",
        });
    }

    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        if (_rbldnsd is not null)
        {
            await _rbldnsd.DisposeAsync();
        }

        if (_silent is not null)
        {
            await _silent.DisposeAsync();
        }
    }

    public BlocklistApiClient Client(string? key = BlocklistApiApp.FunctionKey)
    {
        Skip.If(SkipReason is not null, SkipReason);
        return App!.Client(key);
    }

    public BlocklistApiClient AdminClient() => Client(BlocklistApiApp.AdminKey);
}
