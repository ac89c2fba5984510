using System.Net;
using BlocklistApi.Dns;
using BlocklistApi.Spf;
using DnsClient;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Tests.Spf;

/// <summary>The evaluator's pure steps, and the paths that decide before any DNS query (no sockets are opened).</summary>
public sealed class SpfEvaluatorTests
{
    [Theory]
    [InlineData("example.com", true)]
    [InlineData("example.com.", true)]
    [InlineData("a12345678901234567890123456789012345678901234567890123456789012.example.com", true)]
    [InlineData("a123456789012345678901234567890123456789012345678901234567890123.example.com", false)]
    [InlineData("a...example.com", false)]
    [InlineData("A2345678", false)]
    [InlineData("[192.0.2.1]", false)]
    [InlineData("192.0.2.1", false)]
    [InlineData("exa mple.com", false)]
    [InlineData("", false)]
    public void CheckableDomain_Rfc7208Section4_3(string domain, bool expected)
    {
        Assert.Equal(expected, SpfEvaluator.IsCheckableDomain(domain.TrimEnd('.')));
    }

    [Fact]
    public void ToQueryName_LongerThan253_DropsLeftLabels()
    {
        var label = new string('a', 60);
        var name = string.Join('.', Enumerable.Repeat(label, 5)) + ".example.com";

        var query = SpfEvaluator.ToQueryName(name + ".");

        Assert.NotNull(query);
        Assert.True(query.Length <= 253);
        Assert.EndsWith(".example.com", query, StringComparison.Ordinal);
        Assert.StartsWith(label + ".", query, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mail.example..com")]
    [InlineData("%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25%25.bar")]
    public void ToQueryName_NoValidDnsName_IsNull(string expanded)
    {
        Assert.Null(SpfEvaluator.ToQueryName(expanded));
    }

    [Theory]
    [InlineData("foo@[192.0.2.5]")]
    [InlineData("lyme.eater@A...example.com")]
    public async Task CheckHost_MalformedDomain_IsNoneWithoutDns(string sender)
    {
        var domain = sender[(sender.IndexOf('@') + 1)..];

        var check = await Evaluator().CheckHostAsync(Ip("192.0.2.5"), domain, sender, "mail.example.com", Timeout());

        Assert.Equal(SpfResult.None, check.Result);
        Assert.Contains("not a fully qualified domain name", check.Error, StringComparison.Ordinal);
        Assert.Equal(0, check.DnsLookups);
    }

    [Fact]
    public async Task Service_NeitherSenderNorHelo_IsInvalid()
    {
        var service = new SpfService(Evaluator());

        var outcome = await service.CheckAsync(Ip("192.0.2.5"), "", null, Timeout());

        Assert.NotNull(outcome.Error);
        Assert.Contains("helo", outcome.Error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Service_NullSenderWithLiteralHelo_ChecksHeloIdentityAsNone()
    {
        var service = new SpfService(Evaluator());

        var outcome = await service.CheckAsync(Ip("192.0.2.5"), "<>", "[192.0.2.5]", Timeout());

        Assert.Equal(SpfResult.None, outcome.Value!.Result);
        Assert.Equal(SpfIdentity.Helo, outcome.Value.Identity);
        Assert.Equal("[192.0.2.5]", outcome.Value.Domain);
    }

    // Nothing listens on the discard port; these tests decide before any query is sent.
    private static SpfEvaluator Evaluator()
    {
        var lookups = new DnsLookupService(
            new LookupClient(new LookupClientOptions(new IPEndPoint(IPAddress.Loopback, 9))),
            TimeProvider.System,
            NullLogger<DnsLookupService>.Instance);
        return new(lookups, new ReverseDnsService(lookups), Options.Create(new SpfOptions()), TimeProvider.System, NullLogger<SpfEvaluator>.Instance);
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token;

    private static IPAddress Ip(string text) => BlocklistApi.Net.IpAddressParser.ParseOrNull(text) ?? throw new ArgumentException(text, nameof(text));
}
