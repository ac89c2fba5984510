using System.Globalization;
using System.Net;
using System.Text;

namespace BlocklistApi.Dns;

/// <summary>
/// The one place for DNS name rules: host-name syntax and label limits (RFC 1035 section 2.3.4), reverse names
/// (RFC 1035 section 3.5, RFC 3596 section 2.5) and DNSxL query labels (RFC 5782 section 2.1 and 2.4).
/// </summary>
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

    /// <summary>The reverse-lookup name of an address: d.c.b.a.in-addr.arpa, or 32 nibbles then ip6.arpa.</summary>
    public static string ReverseName(IPAddress address) =>
        ReverseLabels(address) + (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? ".in-addr.arpa" : ".ip6.arpa");

    /// <summary>A name DNS can carry: non-empty labels of at most 63 octets, at most 253 characters in all (RFC 1035 section 2.3.4).</summary>
    public static bool IsQueryableName(string name)
    {
        if (name.Length is 0 or > 253)
        {
            return false;
        }

        foreach (var label in name.Split('.'))
        {
            if (label.Length == 0 || Encoding.UTF8.GetByteCount(label) > 63)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when <paramref name="name"/> is <paramref name="domain"/> or a name below it (case-insensitive, whole labels).</summary>
    public static bool IsSameOrSubdomain(string name, string domain) =>
        name.Equals(domain, StringComparison.OrdinalIgnoreCase)
        || (name.Length > domain.Length && name.EndsWith(domain, StringComparison.OrdinalIgnoreCase) && name[name.Length - domain.Length - 1] == '.');

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'a' + value - 10);
}
