using BlocklistApi.Dns;
using BlocklistApi.Greylist;
using BlocklistApi.Net;

namespace BlocklistApi.Tests.Greylist;

public sealed class GreylistScreeningTests
{
    [Theory]
    [InlineData("postmaster@example.net", true)]
    [InlineData("postmaster+x@other.example", true)]
    [InlineData("abuse@example.net", true)]
    [InlineData("bob@example.net", false)]
    [InlineData("carol@optout.example", true)]
    [InlineData("carol@mail.optout.example", true)]
    [InlineData("carol@notoptout.example", false)]
    [InlineData("dave@example.org", true)]
    [InlineData("dave+lists@example.org", true)]
    [InlineData("dave@example.net", false)]
    public void RecipientOptedOut_PostgreySyntax_Matches(string recipient, bool expected)
    {
        string[] patterns = ["postmaster@", "abuse@", "optout.example", "dave@example.org"];

        Assert.Equal(expected, GreylistScreening.RecipientOptedOut(patterns, recipient));
    }

    [Theory]
    [InlineData("user@example.com", true)]
    [InlineData("user@", true)]
    [InlineData("example.com", true)]
    [InlineData("/^x.*$/", false)]
    [InlineData("@example.com", false)]
    public void IsValidRecipientPattern_PostgreySyntaxWithoutRegex(string pattern, bool expected) =>
        Assert.Equal(expected, GreylistScreening.IsValidRecipientPattern(pattern));

    [Theory]
    [InlineData("mx1.mail.example.com", true)]
    [InlineData("mail.example.com", true)]
    [InlineData("badexample.com", false)]
    [InlineData(null, false)]
    public void ClientNameWhitelisted_DomainSuffix_Matches(string? name, bool expected) =>
        Assert.Equal(expected, GreylistScreening.ClientNameWhitelisted(["mail.example.com"], name));

    [Theory]
    [InlineData("192-0-2-10.pool.isp.example", "192.0.2.10", true)]
    [InlineData("c-10-2-0-192.hsd1.isp.example", "192.0.2.10", true)]
    [InlineData("host10.2.0.192.isp.example", "192.0.2.10", true)]
    [InlineData("c000020a.isp.example", "192.0.2.10", true)]
    [InlineData("dhcp123.isp.example", "192.0.2.10", true)]
    [InlineData("adsl-line.isp.example", "192.0.2.10", true)]
    [InlineData("mail.example.com", "192.0.2.10", false)]
    [InlineData("mx10.example.com", "192.0.2.10", false)]
    [InlineData("pool.example", "192.0.2.10", false)]
    [InlineData("smtp-out2.example.org", "2001:db8::25", false)]
    [InlineData("dyn-2001-db8.isp.example", "2001:db8::25", true)]
    public void LooksDynamic_GenericEndUserNames_AreDetected(string name, string address, bool expected) =>
        Assert.Equal(expected, GreylistScreening.LooksDynamic(name, IpAddressParser.ParseOrNull(address)!));

    [Fact]
    public void IsSuspicious_NoConfirmedName_IsSuspicious()
    {
        var address = IpAddressParser.ParseOrNull("192.0.2.10")!;
        var options = new GreylistOptions();

        Assert.True(GreylistScreening.IsSuspicious(new ReverseDnsResult(ReverseDnsStatus.NoName, null, [], null), 0, address, options));
        Assert.True(GreylistScreening.IsSuspicious(new ReverseDnsResult(ReverseDnsStatus.NotConfirmed, null, ["x.example"], null), 0, address, options));
        Assert.True(GreylistScreening.IsSuspicious(ReverseDnsResult.Failed("timeout"), 0, address, options));
        Assert.False(GreylistScreening.IsSuspicious(new ReverseDnsResult(ReverseDnsStatus.Confirmed, "mail.example.com", ["mail.example.com"], null), 0, address, options));
        Assert.True(GreylistScreening.IsSuspicious(new ReverseDnsResult(ReverseDnsStatus.Confirmed, "mail.example.com", ["mail.example.com"], null), 0.5, address, options));
        Assert.False(GreylistScreening.IsSuspicious(new ReverseDnsResult(ReverseDnsStatus.Confirmed, "mail.example.com", ["mail.example.com"], null), null, address, options));
    }
}
