using System.Globalization;
using System.Net;

namespace BlocklistApi.Net;

/// <summary>An address range in CIDR form; the address is always the network address (host bits zero).</summary>
public readonly record struct IpNetwork
{
    private IpNetwork(IPAddress network, int prefixLength)
    {
        Network = network;
        PrefixLength = prefixLength;
    }

    public IPAddress Network { get; }

    public int PrefixLength { get; }

    /// <summary>The network of <paramref name="address"/> with the given prefix length (host bits cleared).</summary>
    public static IpNetwork Of(IPAddress address, int prefixLength)
    {
        var bytes = address.GetAddressBytes();
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, bytes.Length * 8);
        Mask(bytes, prefixLength);
        return new IpNetwork(new IPAddress(bytes), prefixLength);
    }

    /// <summary>
    /// Parses "address" or "address/prefix" with the strict address rules. Host bits must be zero, so a typo such as
    /// 10.0.0.5/24 is refused with the range that was probably meant rather than silently widened.
    /// An IPv4-mapped IPv6 range (::ffff:0:0/96 and longer) becomes the IPv4 range.
    /// </summary>
    public static bool TryParse(string? text, out IpNetwork network, out string error)
    {
        network = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "An address or CIDR range is required.";
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!IpAddressParser.TryParse(addressText, out var address, out error))
        {
            return false;
        }

        var mapped = addressText.Contains(':', StringComparison.Ordinal) && address.IsIPv4();
        var max = address.IsIPv4() ? 32 : 128;
        var prefix = max;
        if (slash >= 0)
        {
            var prefixText = text.AsSpan(slash + 1);
            if (prefixText.IsEmpty || prefixText.Length > 3 || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out prefix)
                || (prefixText.Length > 1 && prefixText[0] == '0'))
            {
                error = $"'{text}' has an invalid prefix length: write a decimal number after the slash.";
                return false;
            }

            if (mapped)
            {
                if (prefix < 96 || prefix > 128)
                {
                    error = $"'{text}' is an IPv4-mapped range; its prefix length must be from 96 to 128.";
                    return false;
                }

                prefix -= 96;
            }
            else if (prefix > max)
            {
                error = $"'{text}' has a prefix length above {max}.";
                return false;
            }
        }

        var candidate = Of(address, prefix);
        if (!candidate.Network.Equals(address))
        {
            error = $"'{text}' has host bits set after the prefix; did you mean {candidate}?";
            return false;
        }

        network = candidate;
        error = "";
        return true;
    }

    public bool Contains(IPAddress address)
    {
        if (address.AddressFamily != Network.AddressFamily)
        {
            return false;
        }

        Span<byte> candidate = stackalloc byte[16];
        Span<byte> network = stackalloc byte[16];
        address.TryWriteBytes(candidate, out _);
        Network.TryWriteBytes(network, out _);
        var fullBytes = PrefixLength / 8;
        if (!candidate[..fullBytes].SequenceEqual(network[..fullBytes]))
        {
            return false;
        }

        var remainingBits = PrefixLength % 8;
        // A prefix not on a byte boundary always leaves a partial byte inside the address.
        if (remainingBits == 0)
        {
            return true;
        }

        var mask = (byte)(0xFF << (8 - remainingBits));
        return (candidate[fullBytes] & mask) == (network[fullBytes] & mask);
    }

    /// <summary>Canonical text: "10.0.0.0/24", "2001:db8::/32".</summary>
    public override string ToString() => $"{Network}/{PrefixLength.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>A form safe for Table Storage keys, which may not contain '/': "10.0.0.0_24".</summary>
    public string ToKey() => $"{Network}_{PrefixLength.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Reads <see cref="ToKey"/> back.</summary>
    public static IpNetwork FromKey(string key) => FromText(key.Replace('_', '/'));

    /// <summary>Reads text we wrote ourselves; anything else is a bug.</summary>
    public static IpNetwork FromText(string text) =>
        TryParse(text, out var network, out var error) ? network : throw new FormatException(error);

    private static void Mask(byte[] bytes, int prefixLength)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            var bitsHere = Math.Clamp(prefixLength - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bitsHere));
        }
    }
}
