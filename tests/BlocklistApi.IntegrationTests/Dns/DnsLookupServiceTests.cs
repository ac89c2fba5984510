using System.Net;
using BlocklistApi.Dns;
using BlocklistApi.Net;
using BlocklistApi.Testing;
using DnsClient;
using Microsoft.Extensions.Logging.Abstractions;

namespace BlocklistApi.IntegrationTests.Dns;

/// <summary>The one DNS layer against a real DNS server on loopback: every outcome is a typed lookup, never an exception.</summary>
public sealed class DnsLookupServiceTests : IAsyncLifetime
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private readonly LoopbackDnsServer _server = LoopbackDnsServer.Start();
    private DnsLookupService _dns = null!;
    private ReverseDnsService _reverse = null!;

    public Task InitializeAsync()
    {
        _server.AddSoa("example.test", minimum: 120, ttl: 600);
        _server.AddA("host.example.test", "192.0.2.10", ttl: 7200);
        _server.AddA("host.example.test", "192.0.2.11", ttl: 300);
        _server.AddCname("alias.example.test", "host.example.test");
        _server.AddTxt("host.example.test", "v=spf1 ", "-all");
        _server.AddPtr("10.2.0.192.in-addr.arpa", "host.example.test");
        _server.AddPtr("11.2.0.192.in-addr.arpa", "elsewhere.example.test");
        _server.AddPtr("11.2.0.192.in-addr.arpa", "host.example.test");
        _server.AddA("elsewhere.example.test", "198.51.100.1");
        _server.AddPtr("12.2.0.192.in-addr.arpa", "slow.example.test");
        _server.SetTimeout("slow.example.test");
        _server.SetServFail("broken.example.test");
        var client = new LookupClient(new LookupClientOptions(_server.EndPoint)
        {
            Timeout = TimeSpan.FromSeconds(1),
            Retries = 0,
            UseCache = false,
            ThrowDnsErrors = false,
            UseTcpFallback = true,
        });
        _dns = new DnsLookupService(client, TimeProvider.System, NullLogger<DnsLookupService>.Instance);
        _reverse = new ReverseDnsService(_dns);
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _server.DisposeAsync().AsTask();

    [Fact]
    public async Task Lookup_Records_AreFoundWithTheirLowestInitialTtl()
    {
        var lookup = await _dns.LookupAsync("host.example.test", QueryType.A, Bounded());

        Assert.Equal(DnsLookupStatus.Found, lookup.Status);
        Assert.Equal([Ip("192.0.2.10"), Ip("192.0.2.11")], lookup.Addresses);
        Assert.Equal(300, lookup.Ttl);
        Assert.False(lookup.IsFailure);
    }

    [Fact]
    public async Task Lookup_ThroughCname_KeepsOnlyTheAskedType()
    {
        var lookup = await _dns.LookupAsync("alias.example.test", QueryType.A, Bounded());

        Assert.Equal(DnsLookupStatus.Found, lookup.Status);
        Assert.All(lookup.Records, r => Assert.Equal(DnsClient.Protocol.ResourceRecordType.A, r.RecordType));
        Assert.Equal(2, lookup.Addresses.Count);
    }

    [Fact]
    public async Task Lookup_TxtOfSeveralStrings_IsTheirConcatenation()
    {
        var lookup = await _dns.LookupAsync("host.example.test", QueryType.TXT, Bounded());

        Assert.Equal(["v=spf1 -all"], lookup.Texts);
    }

    [Fact]
    public async Task Lookup_NameWithoutThatType_IsNoDataWithTheNegativeTtlOfTheSoa()
    {
        var lookup = await _dns.LookupAsync("host.example.test", QueryType.MX, Bounded());

        Assert.Equal(DnsLookupStatus.NoData, lookup.Status);
        Assert.Empty(lookup.Records);
        Assert.Equal("example.test", lookup.ZoneApex);
        // RFC 2308 section 5: min(SOA TTL 600, MINIMUM 120).
        Assert.Equal(TimeSpan.FromSeconds(120), lookup.NegativeTtl);
    }

    [Fact]
    public async Task Lookup_UnknownName_IsNxDomainWithTheNegativeTtlOfTheSoa()
    {
        var lookup = await _dns.LookupAsync("nothing.example.test", QueryType.A, Bounded());

        Assert.Equal(DnsLookupStatus.NxDomain, lookup.Status);
        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, lookup.ResponseCode);
        Assert.Equal(TimeSpan.FromSeconds(120), lookup.NegativeTtl);
        Assert.False(lookup.IsFailure);
    }

    [Fact]
    public async Task Lookup_ServFail_IsServerFailureNamingTheCode()
    {
        var lookup = await _dns.LookupAsync("broken.example.test", QueryType.A, Bounded());

        Assert.Equal(DnsLookupStatus.ServerFailure, lookup.Status);
        Assert.Equal(DnsHeaderResponseCode.ServerFailure, lookup.ResponseCode);
        Assert.True(lookup.IsFailure);
        Assert.Contains("ServerFailure", lookup.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_SilentServer_IsTimeoutNotAnException()
    {
        var lookup = await _dns.LookupAsync("slow.example.test", QueryType.A, Bounded());

        Assert.Equal(DnsLookupStatus.Timeout, lookup.Status);
        Assert.Contains("timed out", lookup.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_WithOptions_UsesTheirTimeoutAndShowsTheDisplayNameNotTheQueriedName()
    {
        var options = new DnsLookupOptions([_server.EndPoint], TimeSpan.FromMilliseconds(300), "the zone");

        var lookup = await _dns.LookupAsync("slow.example.test", QueryType.A, options, Bounded());

        Assert.Equal(DnsLookupStatus.Timeout, lookup.Status);
        Assert.Equal("The DNS lookup of the zone A timed out.", lookup.Error);
    }

    [Fact]
    public async Task Lookup_NameDnsCannotCarry_IsInvalidAndSendsNothing()
    {
        var before = _server.QueryCount;

        var lookup = await _dns.LookupAsync(new string('a', 64) + ".example.test", QueryType.A, Bounded());

        Assert.Equal(DnsLookupStatus.InvalidName, lookup.Status);
        Assert.True(lookup.IsFailure);
        Assert.Equal(before, _server.QueryCount);
    }

    [Fact]
    public async Task Lookup_CallerCancels_Throws()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _dns.LookupAsync("slow.example.test", QueryType.A, cancelled.Token));
    }

    [Fact]
    public async Task ReverseDns_NameResolvingBack_IsConfirmed()
    {
        var result = await _reverse.LookupAsync(Ip("192.0.2.10"), Bounded());

        Assert.Equal(ReverseDnsStatus.Confirmed, result.Status);
        Assert.Equal("host.example.test", result.Name);
    }

    [Fact]
    public async Task ReverseDns_SecondNameResolvesBack_ConfirmsThatOne()
    {
        var result = await _reverse.LookupAsync(Ip("::ffff:192.0.2.11"), Bounded());

        Assert.Equal(ReverseDnsStatus.Confirmed, result.Status);
        Assert.Equal("host.example.test", result.Name);
        Assert.Equal(["elsewhere.example.test", "host.example.test"], result.PtrNames);
    }

    [Fact]
    public async Task ReverseDns_ForwardLookupTimesOut_IsFailedSayingWhy()
    {
        var result = await _reverse.LookupAsync(Ip("192.0.2.12"), Bounded());

        Assert.Equal(ReverseDnsStatus.Failed, result.Status);
        Assert.Equal(["slow.example.test"], result.PtrNames);
        Assert.Contains("timed out", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReverseDns_NoPtr_IsNoName()
    {
        var result = await _reverse.LookupAsync(Ip("192.0.2.99"), Bounded());

        Assert.Equal(ReverseDnsStatus.NoName, result.Status);
    }

    [Fact]
    public async Task Confirm_StopAtFirst_StopsAfterTheFirstConfirmedName()
    {
        var confirmations = await _reverse.ConfirmAsync(Ip("192.0.2.10"), ["host.example.test", "slow.example.test"], stopAtFirst: true, Bounded());

        var only = Assert.Single(confirmations);
        Assert.Equal(("host.example.test", true), (only.Name, only.Confirmed));
    }

    [Fact]
    public async Task Confirm_All_GivesEachNamesOutcome()
    {
        var confirmations = await _reverse.ConfirmAsync(Ip("192.0.2.10"), ["elsewhere.example.test", "slow.example.test", "host.example.test"], stopAtFirst: false, Bounded());

        Assert.Equal([false, null, true], confirmations.Select(c => c.Confirmed));
    }

    private static IPAddress Ip(string text) => IpAddressParser.ParseOrNull(text)!;

    private static CancellationToken Bounded() => new CancellationTokenSource(s_timeout).Token;
}
