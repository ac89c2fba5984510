using System.Net;
using BenchmarkDotNet.Attributes;
using BlocklistApi.Dns;
using BlocklistApi.Net;
using BlocklistApi.Spf;
using BlocklistApi.Testing;
using DnsClient;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Benchmarks;

/// <summary>
/// SPF evaluations per second against the in-process loopback DNS server, with DnsClient's cache off (every lookup is
/// a UDP round trip) and on (answers come from the cache after the first evaluation). One operation is one check_host().
/// </summary>
[MemoryDiagnoser]
public class SpfBenchmarks
{
    private static readonly IPAddress s_viaIncludeChain = IpAddressParser.ParseOrNull("203.0.113.10")!;
    private static readonly IPAddress s_viaMx = IpAddressParser.ParseOrNull("192.0.2.25")!;
    private static readonly IPAddress s_unlistedIpv6 = IpAddressParser.ParseOrNull("2001:db8:ff::1")!;

    private LoopbackDnsServer _dns = null!;
    private SpfEvaluator _evaluator = null!;

    [Params(false, true)]
    public bool DnsCache { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dns = LoopbackDnsServer.Start();
        // A common shape: mx, a, then an include chain to the provider's netblocks (as _spf.google.com does).
        _dns.AddTxt("example.com", "v=spf1 mx a:outbound.example.com include:_spf.example.com ~all");
        _dns.AddTxt("_spf.example.com", "v=spf1 include:_netblocks.example.com include:_netblocks2.example.com ~all");
        _dns.AddTxt("_netblocks.example.com", "v=spf1 ip4:198.51.100.0/24 ip4:192.0.2.128/25 ip6:2001:db8:1::/48 ~all");
        _dns.AddTxt("_netblocks2.example.com", "v=spf1 ip4:203.0.113.0/26 ip6:2001:db8:2::/48 ~all");
        _dns.AddMx("example.com", 10, "mx1.example.com");
        _dns.AddMx("example.com", 20, "mx2.example.com");
        _dns.AddA("mx1.example.com", "192.0.2.25");
        _dns.AddAaaa("mx1.example.com", "2001:db8::25");
        _dns.AddA("mx2.example.com", "192.0.2.26");
        _dns.AddAaaa("mx2.example.com", "2001:db8::26");
        _dns.AddA("outbound.example.com", "192.0.2.30");
        _dns.AddAaaa("outbound.example.com", "2001:db8::30");
        var client = new LookupClient(new LookupClientOptions(_dns.EndPoint)
        {
            UseCache = DnsCache,
            Timeout = TimeSpan.FromSeconds(2),
            Retries = 0,
            ThrowDnsErrors = false,
            UseTcpFallback = true,
        });
        var lookups = new DnsLookupService(client, TimeProvider.System, NullLogger<DnsLookupService>.Instance);
        _evaluator = new SpfEvaluator(lookups, new ReverseDnsService(lookups), Options.Create(new SpfOptions()), TimeProvider.System, NullLogger<SpfEvaluator>.Instance);
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _dns.DisposeAsync();

    /// <summary>mx (1 MX + 2 A), a (1 A), then three includes (3 TXT): 8 queries with the record's own TXT, 5 DNS-querying terms; pass.</summary>
    [Benchmark(Baseline = true)]
    public Task<SpfCheck> PassThroughIncludeChain() => Check(s_viaIncludeChain);

    /// <summary>The first mechanism matches: 1 TXT, 1 MX and 1 A query.</summary>
    [Benchmark]
    public Task<SpfCheck> PassOnMx() => Check(s_viaMx);

    /// <summary>IPv6 client that nothing lists: every term runs (AAAA lookups), ending in softfail; 8 queries, 5 DNS-querying terms.</summary>
    [Benchmark]
    public Task<SpfCheck> SoftFailIpv6AfterEveryTerm() => Check(s_unlistedIpv6);

    private async Task<SpfCheck> Check(IPAddress ip)
    {
        var check = await _evaluator.CheckHostAsync(ip, "example.com", "bounce@example.com", "mail.example.com", CancellationToken.None);
        return check.Result is SpfResult.Pass or SpfResult.SoftFail ? check : throw new InvalidOperationException($"Unexpected {check.Result}: {check.Error}");
    }
}
