using System.Globalization;
using System.Text;
using BlocklistApi.Client;

namespace BlocklistApi.PostfixPolicy;

/// <summary>
/// The API's answers as Postfix policy actions (access(5) syntax, one line of printable ASCII): a greylisting deferral
/// is DEFER_IF_PERMIT (so a later reject still wins, as postgrey does) or "451 4.7.1 ..."; a rejection "554 5.7.1 ...";
/// an accept DUNNO, or PREPEND of an X-Greylist header.
/// </summary>
public static class PolicyActions
{
    public const string Dunno = "action=DUNNO";
    private const int MaxTextLength = 400;

    public static string ForVerdict(GreylistVerdict verdict, PolicyOptions options, string hostName, DateTimeOffset now) => verdict.Action switch
    {
        GreylistAction.Defer => options.DeferAction == PolicyOptions.Defer451
            ? $"action=451 4.7.1 {ReplyText(verdict.SmtpReply, "Greylisted, please try again later")}"
            : $"action=DEFER_IF_PERMIT {ReplyText(verdict.SmtpReply, "Greylisted, please try again later")}",
        GreylistAction.Reject => $"action=554 5.7.1 {ReplyText(verdict.SmtpReply, "Rejected: the sending host is listed")}",
        _ => options.PrependHeader
            ? string.Create(CultureInfo.InvariantCulture, $"action=PREPEND X-Greylist: {ReasonText(verdict.Reason)}{(verdict.Degraded ? " (degraded)" : "")} by blocklist-api-policy at {OneLine(hostName)}; {now.UtcDateTime:ddd, dd MMM yyyy HH:mm:ss} +0000")
            : Dunno,
    };

    /// <summary>554 5.7.1 for a client that reputation reports as listed: our block list's reason, or the zones that list it.</summary>
    public static string ForListing(ReputationReport report, Uri? pageUrl)
    {
        var why = report.LocalListing is { List: HostedListKind.Block } local
            ? local.Reason
            : "listed by " + string.Join(", ", report.Listings.Where(l => l.Listed && l.Kind == ZoneKind.Block).Select(l => l.Zone));
        var link = pageUrl is not null
            ? $"{pageUrl}{(pageUrl.OriginalString.Contains('?', StringComparison.Ordinal) ? '&' : '?')}ip={report.Ip}"
            : report.Listings.FirstOrDefault(l => l.Listed && l.DelistUrl is not null)?.DelistUrl;
        var text = $"Service unavailable; client [{report.Ip}] is blocked: {why}";
        return $"action=554 5.7.1 {OneLine(text)}{(link is null ? "" : "; see " + OneLine(link))}";
    }

    /// <summary>The answer when the API cannot be asked: DUNNO (fail-open) or a temporary deferral.</summary>
    public static string ForFailure(PolicyFailMode mode) => mode == PolicyFailMode.Tempfail
        ? "action=DEFER_IF_PERMIT Service temporarily unavailable, please try again later"
        : Dunno;

    /// <summary>The text of a complete SMTP reply ("451 4.7.1 Greylisted: ..."), without its codes.</summary>
    public static string ReplyText(string? smtpReply, string fallback)
    {
        var text = smtpReply ?? "";
        var parts = text.Split(' ', 3);
        if (parts.Length == 3 && parts[0].Length == 3 && parts[0].All(char.IsAsciiDigit) && parts[1].Count(c => c == '.') == 2)
        {
            text = parts[2];
        }

        return text.Length == 0 ? fallback : OneLine(text);
    }

    /// <summary>One line of printable ASCII, at most 400 characters: an action is one line and ends up in an SMTP reply.</summary>
    public static string OneLine(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, MaxTextLength));
        foreach (var c in text)
        {
            if (builder.Length == MaxTextLength)
            {
                break;
            }

            builder.Append(c is >= ' ' and <= '~' ? c : c is '\r' or '\n' or '\t' ? ' ' : '?');
        }

        return builder.ToString();
    }

    private static string ReasonText(GreylistReason reason) => reason switch
    {
        GreylistReason.New => "new",
        GreylistReason.TooEarly => "too-early",
        GreylistReason.Passed => "passed",
        GreylistReason.Known => "known",
        GreylistReason.Whitelisted => "whitelisted",
        GreylistReason.AutoWhitelisted => "auto-whitelisted",
        GreylistReason.Trusted => "trusted",
        GreylistReason.Blocklisted => "blocklisted",
        _ => "accepted",
    };
}
