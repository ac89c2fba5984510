using BlocklistApi.Diagnostics;
using BlocklistApi.Net;

namespace BlocklistApi.Tests.Diagnostics;

public sealed class GenericReverseDnsTests
{
    [Theory]
    [InlineData("192-0-2-1.dyn.example.net", "192.0.2.1")]
    [InlineData("host1.2.0.192.example.net", "192.0.2.1")]
    [InlineData("ip-192-000-002-001.example.net", "192.0.2.1")]
    [InlineData("c192000002001.example.net", "192.0.2.1")]
    [InlineData("dsl-pool-7.example.net", "192.0.2.1")]
    [InlineData("cpe-client17.cable.example.net", "192.0.2.1")]
    [InlineData("dynamic.example.co", "2001:db8::1")]
    public void Reason_GenericName_SaysWhy(string name, string ip)
    {
        Assert.NotNull(GenericReverseDns.Reason(name, IpAddressParser.ParseOrNull(ip)!));
    }

    [Theory]
    [InlineData("mail.example.com", "192.0.2.1")]
    [InlineData("mx1.cable-company.example", "192.0.2.1")]
    [InlineData("11-0-2-1.example.net", "1.0.2.1")]
    [InlineData("smtp.example.org", "2001:db8::1")]
    public void Reason_ChosenName_IsNull(string name, string ip)
    {
        Assert.Null(GenericReverseDns.Reason(name, IpAddressParser.ParseOrNull(ip)!));
    }
}
