using System.Net;
using BlocklistApi.Diagnostics;
using BlocklistApi.Dns;
using BlocklistApi.Net;
using DnsClient;
using DnsClient.Protocol;

namespace BlocklistApi.Tests.Diagnostics;

public sealed class HeloRuleTests
{
    private static readonly IPAddress s_ip = IpAddressParser.ParseOrNull("198.51.100.25")!;
    private static readonly ReverseDnsResult s_confirmed = new(ReverseDnsStatus.Confirmed, "mail.example.com", ["mail.example.com"], null);

    [Theory]
    [InlineData("mail.example.com", HeloForm.HostName)]
    [InlineData("MAIL.Example.COM.", HeloForm.HostName)]
    [InlineData("[198.51.100.25]", HeloForm.AddressLiteral)]
    [InlineData("[IPv6:2001:db8::25]", HeloForm.AddressLiteral)]
    [InlineData("localhost", HeloForm.NotQualified)]
    [InlineData("mailserver", HeloForm.NotQualified)]
    [InlineData("host.123", HeloForm.NotQualified)]
    [InlineData("mail_server!.example", HeloForm.Invalid)]
    [InlineData("[198.51.100]", HeloForm.Invalid)]
    [InlineData("[01.2.3.4]", HeloForm.Invalid)]
    public void Classify_HeloArgument_GivesItsForm(string helo, HeloForm form)
    {
        Assert.Equal(form, HeloRule.Classify(helo));
    }

    [Fact]
    public void Helo_ResolvesToIpAndIsTheRdnsName_Passes()
    {
        var check = HeloRule.Evaluate("Mail.Example.com", "given", s_ip, s_confirmed, Found("mail.example.com", "198.51.100.25"));

        Assert.Equal(CheckStatus.Pass, check.Status);
        var data = Assert.IsType<HeloData>(check.Data);
        Assert.True(data.ResolvesToIp);
        Assert.True(data.MatchesReverseDns);
    }

    [Fact]
    public void Helo_ResolvesToIpButIsNotTheRdnsName_WarnsNamingBoth()
    {
        var check = HeloRule.Evaluate("smtp.example.org", "given", s_ip, s_confirmed, Found("smtp.example.org", "198.51.100.25"));

        Assert.Equal(CheckStatus.Warn, check.Status);
        Assert.Contains("mail.example.com", check.Detail, StringComparison.Ordinal);
        Assert.Contains("set the HELO name to mail.example.com", check.Advice, StringComparison.Ordinal);
    }

    [Fact]
    public void Helo_DoesNotResolveToIp_Fails()
    {
        var check = HeloRule.Evaluate("smtp.example.org", "banner", s_ip, s_confirmed, Found("smtp.example.org", "203.0.113.7"));

        Assert.Equal(CheckStatus.Fail, check.Status);
        Assert.Contains("greets as smtp.example.org", check.Detail, StringComparison.Ordinal);
        Assert.Contains("203.0.113.7", check.Detail, StringComparison.Ordinal);
        Assert.Equal("banner", Assert.IsType<HeloData>(check.Data).Source);
    }

    [Fact]
    public void Helo_IsTheRdnsNameWithoutAnARecord_FailsAskingForTheARecord()
    {
        var rdns = new ReverseDnsResult(ReverseDnsStatus.NotConfirmed, null, ["mail.example.com"], null);

        var check = HeloRule.Evaluate("mail.example.com", "given", s_ip, rdns, new DnsLookup("mail.example.com", QueryType.A, DnsLookupStatus.NxDomain, [], null, DnsHeaderResponseCode.NotExistentDomain, null));

        Assert.Equal(CheckStatus.Fail, check.Status);
        Assert.Contains("has no address record", check.Detail, StringComparison.Ordinal);
        Assert.Contains("Add an A record for mail.example.com pointing to 198.51.100.25", check.Advice, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("exchange01")]
    public void Helo_NotFullyQualified_Fails(string helo)
    {
        var check = HeloRule.Evaluate(helo, "given", s_ip, s_confirmed, null);

        Assert.Equal(CheckStatus.Fail, check.Status);
        Assert.Contains("not a fully qualified", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Helo_AddressLiteralOfTheClient_Warns()
    {
        Assert.Equal(CheckStatus.Warn, HeloRule.Evaluate("[198.51.100.25]", "given", s_ip, s_confirmed, null).Status);
        Assert.Equal(CheckStatus.Fail, HeloRule.Evaluate("[198.51.100.26]", "given", s_ip, s_confirmed, null).Status);
    }

    [Fact]
    public void Helo_LookupTimedOut_IsError()
    {
        var timeout = new DnsLookup("mail.example.com", QueryType.A, DnsLookupStatus.Timeout, [], null, null, "The DNS lookup of mail.example.com A timed out.");

        var check = HeloRule.Evaluate("mail.example.com", "given", s_ip, s_confirmed, timeout);

        Assert.Equal(CheckStatus.Error, check.Status);
        Assert.Contains("timed out", check.Detail, StringComparison.Ordinal);
    }

    private static DnsLookup Found(string name, params string[] addresses) => new(
        name,
        QueryType.A,
        DnsLookupStatus.Found,
        addresses.Select(a => (DnsResourceRecord)new ARecord(new ResourceRecordInfo(name + ".", ResourceRecordType.A, QueryClass.IN, 3600, 4), IpAddressParser.ParseOrNull(a)!)).ToList(),
        null,
        DnsHeaderResponseCode.NoError,
        null);
}
