using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace BlocklistApi.Net;

/// <summary>
/// Strict IP address text parsing for every route that takes an address.
/// </summary>
/// <remarks>
/// .NET's IPAddress.TryParse follows inet_aton and accepts "1.2.3", "0x7f.1",
/// "2130706433", "01.02.03.04" (octal) and scope ids: the forms SSRF filters are fooled with. We accept only
/// dotted-decimal IPv4 with four parts and no leading zeros, and RFC 4291 section 2.2 IPv6 text (any case, compressed
/// or full, with an optional trailing dotted quad). IPv4-mapped IPv6 (::ffff:a.b.c.d) becomes the IPv4 address.
/// </remarks>
public static class IpAddressParser
{
    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says what is wrong, for a person.</summary>
    public static bool TryParse(string? text, out IPAddress address, out string error)
    {
        address = IPAddress.None;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "An IP address is required.";
            return false;
        }

        if (text.Length > 45)
        {
            error = "That is too long to be an IP address.";
            return false;
        }

        var span = text.AsSpan();
        if (span.IndexOfAny('[', ']') >= 0)
        {
            error = $"'{text}' has brackets: send the bare address, without brackets or a port.";
            return false;
        }

        if (span.Contains("%2f", StringComparison.OrdinalIgnoreCase))
        {
            error = $"'{text}' has a prefix length (%2F is '/'): send a single address here.";
            return false;
        }

        if (span.Contains('%'))
        {
            error = $"'{text}' has a zone id (%...): zone ids are not accepted, send the bare address.";
            return false;
        }

        if (span.Contains('/'))
        {
            error = $"'{text}' has a prefix length: send a single address here.";
            return false;
        }

        var colon = span.IndexOf(':');
        if (colon > 0 && span[..colon].Contains('.') && span.LastIndexOf(':') == colon)
        {
            error = $"'{text}' has a port: send the bare address, without a port.";
            return false;
        }

        if (colon < 0)
        {
            if (!TryParseIPv4(span, out var bytes, out error))
            {
                error = $"'{text}' is not an IPv4 address: {error}";
                return false;
            }

            address = new IPAddress(bytes);
            return true;
        }

        if (!TryParseIPv6(span, out var v6, out error))
        {
            error = $"'{text}' is not an IPv6 address: {error}";
            return false;
        }

        address = new IPAddress(v6);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return true;
    }

    /// <summary>Parses or returns null; for callers that only need yes or no.</summary>
    public static IPAddress? ParseOrNull(string? text) => TryParse(text, out var address, out _) ? address : null;

    private static bool TryParseIPv4(ReadOnlySpan<char> text, out byte[] bytes, out string error)
    {
        bytes = new byte[4];
        if (text.Count('.') != 3)
        {
            error = text.Count('.') > 3
                ? "it has more than four parts."
                : "four dot-separated decimal numbers are required (shorthand such as 1.2.3 or 2130706433 is refused).";
            return false;
        }

        // Exactly three dots: exactly four parts.
        var part = 0;
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != '.')
            {
                continue;
            }

            if (!TryParseOctet(text[start..i], out bytes[part], out error))
            {
                return false;
            }

            part++;
            start = i + 1;
        }

        error = "";
        return true;
    }

    private static bool TryParseOctet(ReadOnlySpan<char> part, out byte value, out string error)
    {
        value = 0;
        if (part.IsEmpty)
        {
            error = "it has an empty part.";
            return false;
        }

        if (part.Length > 3 || !IsAsciiDigits(part))
        {
            error = "each part must be a decimal number from 0 to 255 (hex and other forms are refused).";
            return false;
        }

        if (part.Length > 1 && part[0] == '0')
        {
            error = "a part has a leading zero, which some software reads as octal; write it without leading zeros.";
            return false;
        }

        var number = int.Parse(part, provider: System.Globalization.CultureInfo.InvariantCulture);
        if (number > 255)
        {
            error = "each part must be a decimal number from 0 to 255.";
            return false;
        }

        value = (byte)number;
        error = "";
        return true;
    }

    private static bool TryParseIPv6(ReadOnlySpan<char> text, out byte[] bytes, out string error)
    {
        bytes = new byte[16];
        var doubleColon = text.IndexOf("::");
        if (doubleColon >= 0 && text[(doubleColon + 1)..].IndexOf("::") >= 0)
        {
            error = "'::' may appear only once.";
            return false;
        }

        Span<ushort> head = stackalloc ushort[8];
        Span<ushort> tail = stackalloc ushort[8];
        int headCount, tailCount;
        if (doubleColon < 0)
        {
            // An embedded IPv4 address already counts as the two groups it fills (x:x:x:x:x:x:d.d.d.d).
            if (!TryParseGroups(text, head, out headCount, out _, out error))
            {
                return false;
            }

            if (headCount != 8)
            {
                error = "it needs eight groups, or '::' for the zero groups left out.";
                return false;
            }

            tailCount = 0;
        }
        else
        {
            var left = text[..doubleColon];
            var right = text[(doubleColon + 2)..];
            headCount = 0;
            tailCount = 0;
            var headV4 = false;
            if (!left.IsEmpty && !TryParseGroups(left, head, out headCount, out headV4, out error))
            {
                return false;
            }

            if (headV4)
            {
                error = "an embedded IPv4 address may only end the address.";
                return false;
            }

            if (!right.IsEmpty && !TryParseGroups(right, tail, out tailCount, out _, out error))
            {
                return false;
            }

            if (headCount + tailCount > 7)
            {
                error = "'::' must stand for at least one zero group.";
                return false;
            }
        }

        for (var i = 0; i < headCount; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2 * i), head[i]);
        }

        var offset = 8 - tailCount;
        for (var i = 0; i < tailCount; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2 * (offset + i)), tail[i]);
        }

        error = "";
        return true;
    }

    // Parses "g:g:g" or "g:g:a.b.c.d" (no "::" inside). An embedded IPv4 address fills two groups.
    private static bool TryParseGroups(ReadOnlySpan<char> text, Span<ushort> groups, out int count, out bool endsWithIPv4, out string error)
    {
        count = 0;
        endsWithIPv4 = false;
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != ':')
            {
                continue;
            }

            var group = text[start..i];
            var isLast = i == text.Length;
            if (isLast && group.Contains('.'))
            {
                if (count > 6)
                {
                    error = "it has more than eight groups.";
                    return false;
                }

                if (!TryParseIPv4(group, out var v4, out error))
                {
                    error = "the embedded IPv4 address is not valid.";
                    return false;
                }

                groups[count++] = (ushort)((v4[0] << 8) | v4[1]);
                groups[count++] = (ushort)((v4[2] << 8) | v4[3]);
                endsWithIPv4 = true;
                error = "";
                return true;
            }

            if (group.IsEmpty || group.Length > 4 || !IsAsciiHex(group))
            {
                error = "each group must be one to four hex digits.";
                return false;
            }

            if (count == 8)
            {
                error = "it has more than eight groups.";
                return false;
            }

            groups[count++] = ushort.Parse(group, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture);
            start = i + 1;
        }

        error = "";
        return true;
    }

    private static bool IsAsciiDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAsciiHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True for an IPv4 address (an IPv4-mapped IPv6 address is not: map it first).</summary>
    public static bool IsIPv4(this IPAddress address) => address.AddressFamily == AddressFamily.InterNetwork;
}
