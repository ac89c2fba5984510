using System.Globalization;
using System.Net;

namespace BlocklistApi.Net;

/// <summary>Parses configured server endpoints: "127.0.0.1:53", "[::1]:5353", "localhost:53", or an address alone (port 53).</summary>
public static class EndpointParser
{
    /// <summary>Parses server settings that the options validators already accepted.</summary>
    public static IPEndPoint[] ParseValidated(IEnumerable<string> servers, int defaultPort = 53) =>
        servers.Select(s => TryParse(s, defaultPort, out var endpoint, out var error) ? endpoint : throw new FormatException(error)).ToArray();

    public static bool TryParse(string? text, int defaultPort, out IPEndPoint endpoint, out string error)
    {
        endpoint = new IPEndPoint(IPAddress.None, 0);
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "is empty; write host:port, for example 127.0.0.1:53 or [::1]:53.";
            return false;
        }

        string host;
        string? portText = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = $"'{text}' has '[' without ']'.";
                return false;
            }

            host = text[1..close];
            var rest = text[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    error = $"'{text}' must be [address]:port.";
                    return false;
                }

                portText = rest[1..];
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon >= 0 && text.IndexOf(':', StringComparison.Ordinal) == colon)
            {
                host = text[..colon];
                portText = text[(colon + 1)..];
            }
            else
            {
                host = text;
            }
        }

        var port = defaultPort;
        if (portText is not null && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            error = $"'{text}' has an invalid port; it must be from 1 to 65535.";
            return false;
        }

        IPAddress address;
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
        }
        else if (!IpAddressParser.TryParse(host, out address, out var addressError))
        {
            error = $"'{text}' must name an IP address (or localhost) and a port: {addressError}";
            return false;
        }

        endpoint = new IPEndPoint(address, port);
        error = "";
        return true;
    }
}
