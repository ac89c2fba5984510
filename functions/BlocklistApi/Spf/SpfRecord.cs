using System.Globalization;
using System.Net;
using BlocklistApi.Net;

namespace BlocklistApi.Spf;

/// <summary>The mechanisms of RFC 7208 section 5.</summary>
internal enum SpfMechanismKind
{
    All,
    Include,
    A,
    Mx,
    Ptr,
    Ip4,
    Ip6,
    Exists,
}

/// <summary>One directive: a qualifier and a mechanism with its arguments.</summary>
/// <param name="Qualifier">The result when the mechanism matches.</param>
/// <param name="Kind">The mechanism.</param>
/// <param name="Target">The domain-spec of include, a, mx, ptr and exists; null when omitted (the current domain).</param>
/// <param name="Cidr4">The IPv4 prefix length of a, mx (default 32) and ip4.</param>
/// <param name="Cidr6">The IPv6 prefix length of a, mx (default 128) and ip6.</param>
/// <param name="Network">The network of ip4 and ip6.</param>
/// <param name="Text">The term as written, for answers.</param>
internal sealed record SpfDirective(
    SpfResult Qualifier,
    SpfMechanismKind Kind,
    SpfMacroString? Target,
    int Cidr4,
    int Cidr6,
    IpNetwork? Network,
    string Text)
{
    /// <summary>Whether the term counts against the limit of 10 DNS-querying terms (RFC 7208 section 4.6.4).</summary>
    public bool QueriesDns => Kind is SpfMechanismKind.Include or SpfMechanismKind.A or SpfMechanismKind.Mx
        or SpfMechanismKind.Ptr or SpfMechanismKind.Exists;

    /// <summary>Does <paramref name="address"/> fall in an address returned for a/mx, with this directive's prefix lengths?</summary>
    public bool Covers(IPAddress address, IPAddress candidate) =>
        address.AddressFamily == candidate.AddressFamily
        && IpNetwork.Of(candidate, address.IsIPv4() ? Cidr4 : Cidr6).Contains(address);
}

/// <summary>A parsed SPF record (RFC 7208 sections 4.5, 4.6, 5 and 6). Parsing checks the whole record's syntax.</summary>
internal sealed record SpfRecord(IReadOnlyList<SpfDirective> Directives, SpfMacroString? Redirect, SpfMacroString? Explanation)
{
    private const string Version = "v=spf1";

    /// <summary>RFC 7208 section 4.5: "v=spf1" (any case) followed by a space or the end of the record.</summary>
    public static bool IsSpfRecord(string text) =>
        text.StartsWith(Version, StringComparison.OrdinalIgnoreCase) && (text.Length == Version.Length || text[Version.Length] == ' ');

    /// <summary>Parses a record that <see cref="IsSpfRecord"/> selected; any syntax error anywhere is a permerror (section 4.6).</summary>
    public static bool TryParse(string text, out SpfRecord record, out string error)
    {
        record = null!;
        if (!IsSpfRecord(text))
        {
            error = "The record does not start with 'v=spf1'.";
            return false;
        }

        var directives = new List<SpfDirective>();
        SpfMacroString? redirect = null, explanation = null;
        foreach (var term in text[Version.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (TryGetModifierName(term, out var name, out var value))
            {
                if (!IsModifierName(name))
                {
                    error = $"'{term}' is not a valid term: a modifier name starts with a letter and has only letters, digits, '-', '_' and '.' (RFC 7208 section 12).";
                    return false;
                }

                var isRedirect = name.Equals("redirect", StringComparison.OrdinalIgnoreCase);
                var isExplanation = name.Equals("exp", StringComparison.OrdinalIgnoreCase);
                if ((isRedirect && redirect is not null) || (isExplanation && explanation is not null))
                {
                    error = $"'{name}=' appears more than once; redirect= and exp= may each appear only once (RFC 7208 section 6).";
                    return false;
                }

                if (!SpfMacroString.TryParse(value, isRedirect || isExplanation ? SpfMacroSyntax.DomainSpec : SpfMacroSyntax.ModifierValue, out var parsed, out error))
                {
                    error = $"In '{term}': {error}";
                    return false;
                }

                if (isRedirect)
                {
                    redirect = parsed;
                }
                else if (isExplanation)
                {
                    explanation = parsed;
                }

                // Unknown modifiers are ignored once their syntax is checked (section 6).
                continue;
            }

            if (!TryParseDirective(term, out var directive, out error))
            {
                return false;
            }

            directives.Add(directive);
        }

        record = new SpfRecord(directives, redirect, explanation);
        error = "";
        return true;
    }

    // A term is a modifier when '=' comes before any ':' or '/' (section 4.6.1); the name is then checked by the caller.
    private static bool TryGetModifierName(string term, out string name, out string value)
    {
        var special = term.AsSpan().IndexOfAny('=', ':', '/');
        if (special < 0 || term[special] != '=')
        {
            name = value = "";
            return false;
        }

        name = term[..special];
        value = term[(special + 1)..];
        return true;
    }

    // name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
    private static bool IsModifierName(string name)
    {
        if (name.Length == 0 || !char.IsAsciiLetter(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryParseDirective(string term, out SpfDirective directive, out string error)
    {
        directive = null!;
        var qualifier = SpfResult.Pass;
        var rest = term;
        if (term[0] is '+' or '-' or '~' or '?')
        {
            qualifier = term[0] switch
            {
                '-' => SpfResult.Fail,
                '~' => SpfResult.SoftFail,
                '?' => SpfResult.Neutral,
                _ => SpfResult.Pass,
            };
            rest = term[1..];
        }

        var nameEnd = rest.AsSpan().IndexOfAny(':', '/');
        var name = nameEnd < 0 ? rest : rest[..nameEnd];
        var argument = nameEnd < 0 ? "" : rest[nameEnd..];
        SpfMechanismKind kind;
        switch (name.ToLowerInvariant())
        {
            case "all": kind = SpfMechanismKind.All; break;
            case "include": kind = SpfMechanismKind.Include; break;
            case "a": kind = SpfMechanismKind.A; break;
            case "mx": kind = SpfMechanismKind.Mx; break;
            case "ptr": kind = SpfMechanismKind.Ptr; break;
            case "ip4": kind = SpfMechanismKind.Ip4; break;
            case "ip6": kind = SpfMechanismKind.Ip6; break;
            case "exists": kind = SpfMechanismKind.Exists; break;
            default:
                error = $"'{term}' is not a known mechanism (all, include, a, mx, ptr, ip4, ip6, exists) or a modifier (name=value) (RFC 7208 section 5).";
                return false;
        }

        SpfMacroString? target = null;
        int cidr4 = 32, cidr6 = 128;
        IpNetwork? network = null;
        switch (kind)
        {
            case SpfMechanismKind.All when argument.Length > 0:
                error = $"'{term}': 'all' takes no argument.";
                return false;
            case SpfMechanismKind.Include or SpfMechanismKind.Exists:
                if (!argument.StartsWith(':'))
                {
                    error = $"'{term}': {name.ToLowerInvariant()} needs a domain, as {name.ToLowerInvariant()}:example.com.";
                    return false;
                }

                if (!TryParseTarget(term, argument[1..], out target, out error))
                {
                    return false;
                }

                break;
            case SpfMechanismKind.Ptr:
                if (argument.Length > 0 && !argument.StartsWith(':'))
                {
                    error = $"'{term}': ptr takes only an optional domain (ptr:example.com), no prefix length.";
                    return false;
                }

                if (argument.Length > 0 && !TryParseTarget(term, argument[1..], out target, out error))
                {
                    return false;
                }

                break;
            case SpfMechanismKind.A or SpfMechanismKind.Mx:
                var (spec, cidrText) = SplitDualCidr(argument);
                if (!TryParseDualCidr(cidrText, out cidr4, out cidr6))
                {
                    error = $"'{term}' has an invalid prefix length: write /0-32 for IPv4 and //0-128 for IPv6, without leading zeros (RFC 7208 section 5.6).";
                    return false;
                }

                if (spec.Length > 0 && !spec.StartsWith(':'))
                {
                    var lower = name.ToLowerInvariant();
                    error = $"'{term}' is not valid: write {lower}, {lower}:example.com, {lower}/24 or {lower}:example.com/24//64.";
                    return false;
                }

                if (spec.Length > 0 && !TryParseTarget(term, spec[1..], out target, out error))
                {
                    return false;
                }

                break;
            case SpfMechanismKind.Ip4 or SpfMechanismKind.Ip6:
                var ipv4 = kind == SpfMechanismKind.Ip4;
                if (!argument.StartsWith(':'))
                {
                    error = $"'{term}' needs a network, as {(ipv4 ? "ip4:192.0.2.0/24" : "ip6:2001:db8::/32")}.";
                    return false;
                }

                if (!TryParseNetwork(argument[1..], ipv4, out var parsed, out error))
                {
                    error = $"'{term}': {error}";
                    return false;
                }

                network = parsed;
                break;
        }

        directive = new SpfDirective(qualifier, kind, target, cidr4, cidr6, network, term);
        error = "";
        return true;
    }

    private static bool TryParseTarget(string term, string spec, out SpfMacroString? target, out string error)
    {
        if (!SpfMacroString.TryParse(spec, SpfMacroSyntax.DomainSpec, out var parsed, out error))
        {
            error = $"In '{term}': {error}";
            target = null;
            return false;
        }

        target = parsed;
        return true;
    }

    // The dual-cidr-length is the longest suffix of the form [ "/" digits ] [ "//" digits ]; the domain-spec may contain '/' itself.
    internal static (string Spec, string Cidr) SplitDualCidr(string argument)
    {
        var end = argument.Length;
        var cut = end;
        var digitsStart = SkipDigitsBackwards(argument, end);
        if (digitsStart < end && digitsStart >= 2 && argument[digitsStart - 1] == '/' && argument[digitsStart - 2] == '/')
        {
            cut = digitsStart - 2;
            end = cut;
            digitsStart = SkipDigitsBackwards(argument, end);
        }

        if (digitsStart < end && digitsStart >= 1 && argument[digitsStart - 1] == '/')
        {
            cut = digitsStart - 1;
        }

        return (argument[..cut], argument[cut..]);
    }

    private static int SkipDigitsBackwards(string text, int end)
    {
        var i = end;
        while (i > 0 && char.IsAsciiDigit(text[i - 1]))
        {
            i--;
        }

        return i;
    }

    internal static bool TryParseDualCidr(string text, out int cidr4, out int cidr6)
    {
        cidr4 = 32;
        cidr6 = 128;
        if (text.Length == 0)
        {
            return true;
        }

        var v6 = text.IndexOf("//", StringComparison.Ordinal);
        var v4Text = v6 < 0 ? text : text[..v6];
        if (v4Text.Length > 0 && !TryParsePrefix(v4Text[1..], 32, out cidr4))
        {
            return false;
        }

        return v6 < 0 || TryParsePrefix(text[(v6 + 2)..], 128, out cidr6);
    }

    // 1*DIGIT without leading zeros (as ip4-network forbids them; the suite's cidr4-032), at most the family's width.
    private static bool TryParsePrefix(string digits, int max, out int prefix)
    {
        prefix = 0;
        return digits.Length is > 0 and <= 3
            && (digits.Length == 1 || digits[0] != '0')
            && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out prefix)
            && prefix <= max;
    }

    internal static bool TryParseNetwork(string text, bool ipv4, out IpNetwork network, out string error)
    {
        network = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        var max = ipv4 ? 32 : 128;
        var prefix = max;
        if (slash >= 0 && !TryParsePrefix(text[(slash + 1)..], max, out prefix))
        {
            error = $"'{text}' has an invalid prefix length: it must be /0 to /{max}, without leading zeros.";
            return false;
        }

        if (addressText.Contains(':', StringComparison.Ordinal) != !ipv4
            || !IpAddressParser.TryParse(addressText, out var address, out var addressError))
        {
            error = ipv4
                ? $"'{addressText}' is not a dotted-quad IPv4 address (four decimal parts, no leading zeros)."
                : $"'{addressText}' is not an IPv6 address.";
            return false;
        }

        // The strict parser turns ::ffff:a.b.c.d into IPv4; in ip6: it stays an IPv6 network, which IPv4 clients never match (section 5).
        if (!ipv4 && address.IsIPv4())
        {
            address = address.MapToIPv6();
        }

        network = IpNetwork.Of(address, prefix);
        error = "";
        return true;
    }
}
