using System.Net;
using BlocklistApi.Net;

namespace BlocklistApi.Tests.Net;

public sealed class EndpointParserTests
{
    [Theory]
    [InlineData("127.0.0.1:53", "127.0.0.1:53")]
    [InlineData("127.0.0.1", "127.0.0.1:5353")]
    [InlineData("[::1]:53", "[::1]:53")]
    [InlineData("[::1]", "[::1]:5353")]
    [InlineData("::1", "[::1]:5353")]
    [InlineData("2001:db8::53", "[2001:db8::53]:5353")]
    [InlineData("localhost:1", "127.0.0.1:1")]
    [InlineData("LocalHost", "127.0.0.1:5353")]
    [InlineData("192.0.2.53:65535", "192.0.2.53:65535")]
    [InlineData("[::ffff:192.0.2.53]:53", "192.0.2.53:53")]
    public void TryParse_HostAndPort_GivesTheEndpoint(string text, string expected)
    {
        Assert.True(EndpointParser.TryParse(text, 5353, out var endpoint, out var error), error);
        Assert.Equal(expected, endpoint.ToString());
        Assert.Equal("", error);
    }

    [Theory]
    [InlineData(null, "is empty; write host:port, for example 127.0.0.1:53 or [::1]:53.")]
    [InlineData(" ", "is empty; write host:port, for example 127.0.0.1:53 or [::1]:53.")]
    [InlineData("[::1:53", "'[::1:53' has '[' without ']'.")]
    [InlineData("[::1]53", "'[::1]53' must be [address]:port.")]
    [InlineData("[::1]:", "'[::1]:' has an invalid port; it must be from 1 to 65535.")]
    [InlineData("127.0.0.1:0", "'127.0.0.1:0' has an invalid port; it must be from 1 to 65535.")]
    [InlineData("127.0.0.1:65536", "'127.0.0.1:65536' has an invalid port; it must be from 1 to 65535.")]
    [InlineData("127.0.0.1:+53", "'127.0.0.1:+53' has an invalid port; it must be from 1 to 65535.")]
    [InlineData("127.0.0.1: 53", "'127.0.0.1: 53' has an invalid port; it must be from 1 to 65535.")]
    [InlineData("dns.example:53", "'dns.example:53' must name an IP address (or localhost) and a port: 'dns.example' is not an IPv4 address: four dot-separated decimal numbers are required (shorthand such as 1.2.3 or 2130706433 is refused).")]
    [InlineData(":53", "':53' must name an IP address (or localhost) and a port: An IP address is required.")]
    [InlineData("[::1]:53:53", "'[::1]:53:53' has an invalid port; it must be from 1 to 65535.")]
    [InlineData("[1.2.3]:53", "'[1.2.3]:53' must name an IP address (or localhost) and a port: '1.2.3' is not an IPv4 address: four dot-separated decimal numbers are required (shorthand such as 1.2.3 or 2130706433 is refused).")]
    public void TryParse_Malformed_SaysWhatIsWrong(string? text, string expected)
    {
        Assert.False(EndpointParser.TryParse(text, 53, out var endpoint, out var error));
        Assert.Equal(expected, error);
        Assert.Equal(new IPEndPoint(IPAddress.None, 0), endpoint);
    }

    [Fact]
    public void ParseValidated_Servers_KeepTheirOrderWithTheDefaultPort()
    {
        var endpoints = EndpointParser.ParseValidated(["192.0.2.53", "[2001:db8::53]:5353"]);

        Assert.Equal(["192.0.2.53:53", "[2001:db8::53]:5353"], endpoints.Select(e => e.ToString()));
    }

    [Fact]
    public void ParseValidated_ServerThatWasNotValidated_Throws()
    {
        var exception = Assert.Throws<FormatException>(() => EndpointParser.ParseValidated(["192.0.2.53:0"]));

        Assert.Equal("'192.0.2.53:0' has an invalid port; it must be from 1 to 65535.", exception.Message);
    }
}
