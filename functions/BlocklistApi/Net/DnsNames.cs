using System.Globalization;
using System.Net;
using System.Text;

namespace BlocklistApi.Net;

/// <summary>DNS name helpers (RFC 1035 section 2.3.4 limits; RFC 5782 section 2.1 and 2.4 query names).</summary>
public static class DnsNames
{
    /// <summary>True for a name of 1-63 character labels of letters, digits, '-' and '_', at most 253 characters.</summary>
    public static bool IsValidDomainName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        var trimmed = name.EndsWith('.') ? name[..^1] : name;
        if (trimmed.Length is 0 or > 253)
        {
            return false;
        }

        foreach (var label in trimmed.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (var c in label)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_')
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// The DNSxL query name: IPv4 as reversed octets ("2.0.0.127.zone"), IPv6 as 32 reversed nibbles (RFC 5782 section 2.4).
    /// </summary>
    public static string ReverseLabels(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        var builder = new StringBuilder(bytes.Length == 4 ? 16 : 64);
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            if (bytes.Length == 4)
            {
                builder.Append(bytes[i].ToString(CultureInfo.InvariantCulture)).Append('.');
            }
            else
            {
                builder.Append(HexDigit(bytes[i] & 0xF)).Append('.').Append(HexDigit(bytes[i] >> 4)).Append('.');
            }
        }

        return builder.ToString(0, builder.Length - 1);
    }

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'a' + value - 10);
}
