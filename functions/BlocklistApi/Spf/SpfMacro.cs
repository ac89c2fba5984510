using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using BlocklistApi.Net;

namespace BlocklistApi.Spf;

/// <summary>Where a macro-string appears, which decides the letters and characters it may use (RFC 7208 section 7.1).</summary>
internal enum SpfMacroSyntax
{
    /// <summary>A domain-spec: no spaces, no c/r/t letters, and it must end in a macro or "." toplabel.</summary>
    DomainSpec,
    /// <summary>The value of an unknown modifier: any macro-string.</summary>
    ModifierValue,
    /// <summary>An explanation string (the exp= TXT record): spaces and the c/r/t letters are allowed.</summary>
    Explanation,
}

/// <summary>One piece of a macro-string: literal text, or a macro with its transformers.</summary>
internal readonly record struct SpfMacroPart(string? Literal, char Letter, bool UrlEscape, int RightParts, bool Reverse, string Delimiters)
{
    public bool IsLiteral => Literal is not null;

    public static SpfMacroPart Text(string literal) => new(literal, '\0', false, 0, false, "");
}

/// <summary>The values macros expand to for one check_host() call (RFC 7208 section 7.3).</summary>
/// <param name="Sender">s: the sender (local-part@domain).</param>
/// <param name="LocalPart">l: the sender's local-part.</param>
/// <param name="SenderDomain">o: the sender's domain.</param>
/// <param name="Domain">d: the domain whose record is being evaluated.</param>
/// <param name="Ip">i, c, v: the client address (IPv4-mapped IPv6 already turned into IPv4).</param>
/// <param name="Helo">h: the HELO/EHLO name.</param>
/// <param name="Receiver">r: the checking host's name.</param>
/// <param name="Now">t: the time of the check.</param>
/// <param name="ValidatedName">p: the validated name of the client, or null for "unknown".</param>
internal sealed record SpfMacroContext(
    string Sender,
    string LocalPart,
    string SenderDomain,
    string Domain,
    IPAddress Ip,
    string Helo,
    string Receiver,
    DateTimeOffset Now,
    string? ValidatedName);

/// <summary>A parsed macro-string (RFC 7208 section 7.1); parsing is the syntax check, expansion is pure.</summary>
internal sealed class SpfMacroString
{
    private const string DomainLetters = "slodiphv";
    private const string ExplanationLetters = "slodiphvcrt";
    private const string DelimiterChars = ".-+,/_=";

    private SpfMacroString(string text, IReadOnlyList<SpfMacroPart> parts)
    {
        Text = text;
        Parts = parts;
    }

    public string Text { get; }

    public IReadOnlyList<SpfMacroPart> Parts { get; }

    /// <summary>True when %{p} appears, which needs PTR lookups before expansion.</summary>
    public bool UsesValidatedName => Parts.Any(p => !p.IsLiteral && p.Letter == 'p');

    public override string ToString() => Text;

    public static bool TryParse(string text, SpfMacroSyntax syntax, out SpfMacroString macroString, out string error)
    {
        macroString = null!;
        var parts = new List<SpfMacroPart>();
        var literal = new StringBuilder();
        var letters = syntax == SpfMacroSyntax.DomainSpec ? DomainLetters : ExplanationLetters;
        var endsWithMacro = false;
        var tailStart = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '%')
            {
                // macro-literal = %x21-24 / %x26-7E; explanations also allow SP (explain-string).
                if (!(c is >= '!' and <= '~' || (c == ' ' && syntax == SpfMacroSyntax.Explanation)))
                {
                    error = c > '\x7f'
                        ? $"'{Printable(text)}' contains a non-ASCII character; SPF records are 7-bit ASCII (RFC 7208 section 3.1)."
                        : $"'{Printable(text)}' contains a character that is not allowed there (code {(int)c}).";
                    return false;
                }

                literal.Append(c);
                endsWithMacro = false;
                continue;
            }

            if (i + 1 >= text.Length)
            {
                error = $"'{text}' ends with a lone '%'; write %% for a percent sign (RFC 7208 section 7.1).";
                return false;
            }

            var next = text[++i];
            switch (next)
            {
                case '%':
                    literal.Append('%');
                    break;
                case '_':
                    literal.Append(' ');
                    break;
                case '-':
                    literal.Append("%20");
                    break;
                case '{':
                    var close = text.IndexOf('}', i);
                    if (close < 0)
                    {
                        error = $"'{text}' has a macro without its closing '}}'.";
                        return false;
                    }

                    if (!TryParseMacro(text[(i + 1)..close], letters, out var macro, out error))
                    {
                        error = $"'{text}': {error}";
                        return false;
                    }

                    if (literal.Length > 0)
                    {
                        parts.Add(SpfMacroPart.Text(literal.ToString()));
                        literal.Clear();
                    }

                    parts.Add(macro);
                    i = close;
                    break;
                default:
                    error = $"'{text}' has '%{next}': a '%' must be followed by '{{', '%', '_' or '-' (RFC 7208 section 7.1).";
                    return false;
            }

            // "%%", "%_" and "%-" are macro-expand too in the ABNF, so they also end a domain-spec.
            endsWithMacro = true;
            tailStart = i + 1;
        }

        if (literal.Length > 0)
        {
            parts.Add(SpfMacroPart.Text(literal.ToString()));
        }

        if (syntax == SpfMacroSyntax.DomainSpec)
        {
            if (text.Length == 0)
            {
                error = "A domain is required there (domain-spec cannot be empty).";
                return false;
            }

            if (!endsWithMacro && !HasValidDomainEnd(text[tailStart..]))
            {
                error = $"'{text}' is not a valid domain: it must end in a macro or in a top-level label such as '.com' (RFC 7208 section 7.1); IP addresses belong in ip4:/ip6:.";
                return false;
            }
        }

        macroString = new SpfMacroString(text, parts);
        error = "";
        return true;
    }

    /// <summary>Expands every macro; <paramref name="context"/> must carry the validated name when <see cref="UsesValidatedName"/>.</summary>
    public string Expand(SpfMacroContext context)
    {
        if (Parts.Count == 1 && Parts[0].IsLiteral)
        {
            return Parts[0].Literal!;
        }

        var builder = new StringBuilder();
        foreach (var part in Parts)
        {
            builder.Append(part.IsLiteral ? part.Literal : ExpandMacro(part, context));
        }

        return builder.ToString();
    }

    /// <summary>%{i} for IPv6: 32 dot-separated nibbles (RFC 7208 section 7.3).</summary>
    /// <remarks>
    /// Upper-case hex, as the openspf suite expects in explanations (v-macro-ip6); section 7.3 does not fix the case and
    /// DNS names are case-insensitive, so queries are unaffected.
    /// </remarks>
    public static string DotFormat(IPAddress ip)
    {
        if (ip.IsIPv4())
        {
            return ip.ToString();
        }

        var bytes = ip.GetAddressBytes();
        var builder = new StringBuilder(63);
        foreach (var b in bytes)
        {
            builder.Append(HexUpper(b >> 4)).Append('.').Append(HexUpper(b & 0xF)).Append('.');
        }

        return builder.ToString(0, builder.Length - 1);
    }

    private static string ExpandMacro(SpfMacroPart macro, SpfMacroContext context)
    {
        var value = macro.Letter switch
        {
            's' => context.Sender,
            'l' => context.LocalPart,
            'o' => context.SenderDomain,
            'd' => context.Domain,
            'i' => DotFormat(context.Ip),
            'p' => context.ValidatedName ?? "unknown",
            'v' => context.Ip.IsIPv4() ? "in-addr" : "ip6",
            'h' => context.Helo,
            'c' => context.Ip.ToString(),
            'r' => context.Receiver,
            't' => context.Now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            _ => throw new UnreachableException(), // TryParseMacro admits only the letters above.
        };

        value = Transform(value, macro.Delimiters, macro.Reverse, macro.RightParts);
        return macro.UrlEscape ? UrlEscape(value) : value;
    }

    // RFC 7208 section 7.3: split on the delimiters, optionally reverse, keep the right-hand N parts, join with ".".
    internal static string Transform(string value, string delimiters, bool reverse, int rightParts)
    {
        if (delimiters.Length == 0 && !reverse && rightParts == 0)
        {
            return value;
        }

        var parts = value.Split(delimiters.Length == 0 ? ['.'] : delimiters.ToCharArray());
        if (reverse)
        {
            Array.Reverse(parts);
        }

        var skip = rightParts > 0 && rightParts < parts.Length ? parts.Length - rightParts : 0;
        return string.Join('.', parts, skip, parts.Length - skip);
    }

    // Upper-case macro letters are URL-escaped: everything outside RFC 3986 "unreserved" becomes %XX.
    internal static string UrlEscape(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(HexUpper(b >> 4)).Append(HexUpper(b & 0xF));
            }
        }

        return builder.ToString();
    }

    private static bool TryParseMacro(string body, string letters, out SpfMacroPart macro, out string error)
    {
        macro = default;
        if (body.Length == 0)
        {
            error = "'%{}' names no macro letter.";
            return false;
        }

        var letter = body[0];
        var lower = char.ToLowerInvariant(letter);
        if (!letters.Contains(lower, StringComparison.Ordinal))
        {
            error = ExplanationLetters.Contains(lower, StringComparison.Ordinal)
                ? $"the macro %{{{letter}}} is only allowed in explanation text (RFC 7208 section 7.2)."
                : $"'{letter}' is not a macro letter (s, l, o, d, i, p, h, v; c, r, t in explanations).";
            return false;
        }

        var i = 1;
        var digitsStart = i;
        while (i < body.Length && char.IsAsciiDigit(body[i]))
        {
            i++;
        }

        var rightParts = 0;
        if (i > digitsStart)
        {
            // Leading zeros do not count ("%{d0002}" keeps two parts). Large counts just mean "all parts"; cap before
            // parsing so "%{d99999999999}" cannot overflow.
            var digits = body.AsSpan(digitsStart, i - digitsStart).TrimStart('0');
            if (digits.IsEmpty)
            {
                error = "a macro's part count must be nonzero (RFC 7208 section 7.3).";
                return false;
            }

            rightParts = digits.Length > 3 ? 999 : int.Parse(digits, CultureInfo.InvariantCulture);
        }

        var reverse = false;
        if (i < body.Length && body[i] is 'r' or 'R')
        {
            reverse = true;
            i++;
        }

        var delimiters = body[i..];
        foreach (var c in delimiters)
        {
            if (!DelimiterChars.Contains(c, StringComparison.Ordinal))
            {
                error = $"'{c}' in %{{{body}}} is not a delimiter (one of {DelimiterChars}).";
                return false;
            }
        }

        macro = new SpfMacroPart(null, lower, char.IsAsciiLetterUpper(letter), rightParts, reverse, delimiters);
        error = "";
        return true;
    }

    // domain-end = ( "." toplabel [ "." ] ) / macro-expand; this checks the first alternative on the literal tail.
    private static bool HasValidDomainEnd(string tail)
    {
        var text = tail.EndsWith('.') ? tail[..^1] : tail;
        var dot = text.LastIndexOf('.');
        return dot >= 0 && IsTopLabel(text.AsSpan(dot + 1));
    }

    // toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
    internal static bool IsTopLabel(ReadOnlySpan<char> label)
    {
        if (label.IsEmpty)
        {
            return false;
        }

        var hasLetter = false;
        var hasDash = false;
        foreach (var c in label)
        {
            if (c == '-')
            {
                hasDash = true;
            }
            else if (char.IsAsciiLetter(c))
            {
                hasLetter = true;
            }
            else if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return hasDash ? char.IsAsciiLetterOrDigit(label[0]) && char.IsAsciiLetterOrDigit(label[^1]) : hasLetter;
    }

    private static char HexUpper(int value) => (char)(value < 10 ? '0' + value : 'A' + value - 10);

    private static string Printable(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(c is >= ' ' and <= '~' ? c : '?');
        }

        return builder.ToString();
    }
}
