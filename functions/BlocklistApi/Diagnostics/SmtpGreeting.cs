using System.Globalization;
using BlocklistApi.Dns;
using BlocklistApi.Net;

namespace BlocklistApi.Diagnostics;

/// <summary>
/// An SMTP server's greeting (RFC 5321 section 4.2 and 4.3.1): one or more reply lines with the same code, "220-"
/// lines continued by a final "220 " line, the first naming the server: "220 mail.example.com ESMTP Postfix".
/// </summary>
/// <param name="Code">The reply code: 220 when the server accepts mail, 554 when it refuses us.</param>
/// <param name="Host">The domain (or address literal) the first line announces; null if it names none.</param>
/// <param name="Lines">The reply lines as received, without CRLF.</param>
public sealed record SmtpGreeting(int Code, string? Host, IReadOnlyList<string> Lines)
{
    /// <summary>How many lines a greeting may have before we stop reading it.</summary>
    public const int MaxLines = 20;

    /// <summary>
    /// Parses the complete lines received so far. Incomplete while the last line is a continuation ("220-...");
    /// Invalid for a line that is not a reply, mixed codes or too many lines.
    /// </summary>
    public static GreetingParse TryParse(IReadOnlyList<string> lines, out SmtpGreeting? greeting, out string? error)
    {
        greeting = null;
        error = null;
        if (lines.Count > MaxLines)
        {
            error = $"The greeting had more than {MaxLines} lines.";
            return GreetingParse.Invalid;
        }

        var code = -1;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.Length < 3 || !(char.IsAsciiDigit(line[0]) && char.IsAsciiDigit(line[1]) && char.IsAsciiDigit(line[2])) || line[0] is < '2' or > '5' || (line.Length > 3 && line[3] is not (' ' or '-')))
            {
                error = $"'{Printable(line)}' is not an SMTP reply line (three digits, then a space or '-').";
                return GreetingParse.Invalid;
            }

            var lineCode = int.Parse(line.AsSpan(0, 3), CultureInfo.InvariantCulture);
            if (code >= 0 && lineCode != code)
            {
                error = $"The greeting mixes reply codes {code} and {lineCode}.";
                return GreetingParse.Invalid;
            }

            code = lineCode;
            var last = line.Length == 3 || line[3] == ' ';
            if (last && i != lines.Count - 1)
            {
                error = "The server sent more after its greeting without being asked.";
                return GreetingParse.Invalid;
            }

            if (last)
            {
                greeting = new SmtpGreeting(code, HostOf(lines[0]), lines.Select(Printable).ToList());
                return GreetingParse.Complete;
            }
        }

        return GreetingParse.Incomplete;
    }

    /// <summary>The first word after the code of the first line, if it is a domain name (or "localhost") or an address literal.</summary>
    internal static string? HostOf(string firstLine)
    {
        if (firstLine.Length <= 4)
        {
            return null;
        }

        var text = firstLine[4..].TrimStart();
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        var word = space < 0 ? text : text[..space];
        if (word.Length > 2 && word[0] == '[' && word[^1] == ']' && IsAddressLiteral(word))
        {
            return word;
        }

        // A single word is more often text ("220 ESMTP ready") than a name, except the misconfiguration we want to show.
        return DnsNames.IsValidDomainName(word) && (word.TrimEnd('.').Contains('.', StringComparison.Ordinal) || word.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            ? word.TrimEnd('.')
            : null;
    }

    /// <summary>"[192.0.2.1]" or "[IPv6:2001:db8::1]" (RFC 5321 section 4.1.3), strictly parsed.</summary>
    internal static bool IsAddressLiteral(string word)
    {
        var inner = word[1..^1];
        if (inner.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
        {
            return IpAddressParser.ParseOrNull(inner[5..]) is { } v6 && !v6.IsIPv4();
        }

        return IpAddressParser.ParseOrNull(inner) is { } v4 && v4.IsIPv4() && !inner.Contains(':', StringComparison.Ordinal);
    }

    // Control characters and non-ASCII are shown as '?': the text is a stranger's and ends up in our answers.
    private static string Printable(string line) =>
        string.Create(line.Length, line, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = source[i] is >= ' ' and <= '~' ? source[i] : '?';
            }
        });
}

/// <summary>Whether the lines received so far make a greeting.</summary>
public enum GreetingParse
{
    Incomplete,
    Complete,
    Invalid,
}
