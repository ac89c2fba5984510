using System.Net;
using BlocklistApi.Net;

namespace BlocklistApi.Spf;

/// <summary>Answers "does this sender's SPF record authorize this client?", choosing the identity as RFC 7208 section 2 says.</summary>
public sealed class SpfService(SpfEvaluator evaluator)
{
    /// <summary>Longest sender or HELO text we accept (RFC 5321 section 4.5.3.1: 256-octet paths, 255-octet domains).</summary>
    public const int MaxLength = 320;

    /// <summary>
    /// Checks the MAIL FROM identity when <paramref name="sender"/> is given, else the HELO identity. A null sender
    /// ("" or &lt;&gt;) is checked as postmaster@helo (section 2.4).
    /// </summary>
    public async Task<Outcome<SpfReport>> CheckAsync(IPAddress ip, string? sender, string? helo, CancellationToken cancellationToken)
    {
        sender = sender?.Trim();
        helo = helo?.Trim();
        if (sender is "<>")
        {
            sender = "";
        }

        if (string.IsNullOrEmpty(sender) && string.IsNullOrEmpty(helo))
        {
            // Without a sender the HELO name is the identity checked, so it is the missing field.
            return ApiError.Invalid("Give the MAIL FROM address as 'sender', the HELO/EHLO name as 'helo', or both; with an empty sender the HELO name is checked.", nameof(helo));
        }

        if (sender?.Length > MaxLength || helo?.Length > MaxLength)
        {
            return ApiError.Invalid($"'sender' and 'helo' may be at most {MaxLength} characters long.", sender?.Length > MaxLength ? nameof(sender) : nameof(helo));
        }

        if (!string.IsNullOrEmpty(sender))
        {
            var (_, domain) = MailAddresses.Split(sender);
            var check = await evaluator.CheckHostAsync(ip, domain, sender, helo is { Length: > 0 } ? helo : "unknown", cancellationToken);
            return ToReport(check, SpfIdentity.MailFrom);
        }

        return await CheckHeloAsync(ip, helo!, cancellationToken);
    }

    /// <summary>The HELO identity (section 2.3): the HELO name checked with postmaster@helo as the sender.</summary>
    public async Task<SpfReport> CheckHeloAsync(IPAddress ip, string helo, CancellationToken cancellationToken)
    {
        var check = await evaluator.CheckHostAsync(ip, helo, "postmaster@" + helo, helo, cancellationToken);
        return ToReport(check, SpfIdentity.Helo);
    }

    private static SpfReport ToReport(SpfCheck check, SpfIdentity identity) =>
        new(check.Result, check.Mechanism, check.Explanation, check.DnsLookups, identity, check.Domain, check.Error);
}
