using System.Text.Json;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Dns;
using BlocklistApi.Net;
using BlocklistApi.Spf;
using BlocklistApi.Testing;
using DnsClient;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BlocklistApi.IntegrationTests.Spf;

/// <summary>
/// Every case of the openspf RFC 7208 suite, each its own test ("scenario/case"), evaluated by <see cref="SpfService"/>
/// against the scenario's zone data served by a real DNS server on loopback.
/// </summary>
public sealed class SpfConformanceTests(SpfSuiteServers servers) : IClassFixture<SpfSuiteServers>
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        if (SpfSuite.Unavailable is not null)
        {
            data.Add("(suite not found)");
            return data;
        }

        foreach (var suiteCase in SpfSuite.Scenarios.SelectMany(s => s.Cases))
        {
            data.Add(suiteCase.Id);
        }

        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public async Task SpfSuite_Case_GivesAnAcceptedResultAndExplanation(string id)
    {
        var skip = Peers.SkipReason(SpfSuite.Unavailable);
        Skip.If(skip is not null, skip);
        var suiteCase = SpfSuite.Case(id);
        var service = servers.ServiceFor(SpfSuite.ScenarioOf(suiteCase));
        Assert.True(IpAddressParser.TryParse(suiteCase.Host, out var ip, out var error), error);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var outcome = await service.CheckAsync(ip, suiteCase.MailFrom, suiteCase.Helo, timeout.Token);

        Assert.Null(outcome.Error);
        var report = outcome.Value!;
        var result = JsonSerializer.Serialize(report.Result).Trim('"');
        Assert.True(
            suiteCase.Results.Contains(result),
            $"{id}: expected {string.Join(" or ", suiteCase.Results)}, got {result} (mechanism {report.Mechanism}; {report.Error})");
        if (suiteCase.Explanation is { } explanation)
        {
            // The suite writes DEFAULT for the evaluator's default explanation, which these tests set to that word.
            Assert.Equal(explanation, report.Explanation);
        }
    }
}

/// <summary>One loopback DNS server per scenario, serving its zone data, started when a case of it first runs.</summary>
public sealed class SpfSuiteServers : IAsyncLifetime
{
    private readonly Dictionary<string, (LoopbackDnsServer Server, SpfService Service)> _scenarios = [];
    private readonly Lock _lock = new();

    public SpfService ServiceFor(SpfSuiteScenario scenario)
    {
        lock (_lock)
        {
            if (!_scenarios.TryGetValue(scenario.Description, out var entry))
            {
                var server = LoopbackDnsServer.Start();
                SpfSuite.Serve(server, scenario.ZoneData);
                entry = (server, CreateService(server));
                _scenarios[scenario.Description] = entry;
            }

            return entry.Service;
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var (server, _) in _scenarios.Values)
        {
            await server.DisposeAsync();
        }
    }

    private static SpfService CreateService(LoopbackDnsServer server)
    {
        // Silence stands for a timeout in the suite: one try keeps those cases quick. It is 3 s, not 1 s: with both
        // cores busy the loopback server's answer took more than a second once, and a case expecting permerror got
        // temperror.
        var dns = new LookupClient(new LookupClientOptions(server.EndPoint)
        {
            Timeout = TimeSpan.FromSeconds(3),
            Retries = 0,
            UseCache = false,
            ThrowDnsErrors = false,
            UseTcpFallback = true,
        });
        var options = Options.Create(new SpfOptions { DefaultExplanation = "DEFAULT" });
        var lookups = new DnsLookupService(dns, TimeProvider.System, NullLogger<DnsLookupService>.Instance);
        return new SpfService(new SpfEvaluator(lookups, new ReverseDnsService(lookups), options, TimeProvider.System, NullLogger<SpfEvaluator>.Instance));
    }
}
