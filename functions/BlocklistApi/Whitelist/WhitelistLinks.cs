using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace BlocklistApi.Whitelist;

/// <summary>What a link in a mail lets its holder do.</summary>
public enum WhitelistLinkAction
{
    /// <summary>The requester confirms the request (double opt-in).</summary>
    Confirm,
    /// <summary>An admin approves it.</summary>
    Approve,
    /// <summary>An admin denies it.</summary>
    Deny,
    /// <summary>The requester reads its status.</summary>
    Status,
}

/// <summary>How a presented token checked out.</summary>
public enum WhitelistTokenCheck
{
    Valid,
    /// <summary>Signed by us for this request and action, but past its expiry.</summary>
    Expired,
    /// <summary>Missing, malformed, for another request or action, or not signed with our secret.</summary>
    Invalid,
}

/// <summary>
/// The signed links of whitelist mails. A token is "EXPIRY.MAC": EXPIRY the Unix time in seconds after which it is no
/// good, MAC the base64url HMAC-SHA256, keyed with Whitelist:LinkSecret, of "id\naction\nEXPIRY". So a token works for
/// one request and one action only, its expiry cannot be moved, and the link carries no state a server must keep.
/// Comparison is in constant time. A link opens the public page (<c>PublicPage__Url</c>?whitelist=ACTION&amp;id=ID&amp;token=T),
/// which never changes anything by itself: its button POSTs the token. Single use is the request's state machine's.
/// </summary>
public sealed class WhitelistLinks(IOptions<WhitelistOptions> options, TimeProvider timeProvider)
{
    private readonly byte[] _secret = Encoding.UTF8.GetBytes(options.Value.LinkSecret ?? "");
    private readonly TimeSpan _lifetime = options.Value.LinkLifetime;
    private readonly string _pageUrl = options.Value.PageUrl ?? "http://127.0.0.1:7071/";

    public static string ActionName(WhitelistLinkAction action) => action switch
    {
        WhitelistLinkAction.Confirm => "confirm",
        WhitelistLinkAction.Approve => "approve",
        WhitelistLinkAction.Deny => "deny",
        _ => "status",
    };

    /// <summary>When a link made now stops working.</summary>
    public DateTimeOffset ExpiryFromNow() => timeProvider.GetUtcNow() + _lifetime;

    /// <summary>A token for <paramref name="action"/> on request <paramref name="id"/>, good until <paramref name="expires"/>.</summary>
    public string Token(string id, WhitelistLinkAction action, DateTimeOffset expires)
    {
        var expiry = expires.ToUnixTimeSeconds();
        return expiry.ToString(CultureInfo.InvariantCulture) + "." + Base64Url(Mac(id, action, expiry));
    }

    /// <summary>The page link for <paramref name="action"/>, with a token that expires after Whitelist:LinkLifetime.</summary>
    public string Link(string id, WhitelistLinkAction action)
    {
        var query = $"whitelist={ActionName(action)}&id={Uri.EscapeDataString(id)}&token={Uri.EscapeDataString(Token(id, action, ExpiryFromNow()))}";
        var separator = _pageUrl.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        return _pageUrl + separator + query;
    }

    /// <summary>Checks a presented token against the request and action it must be for.</summary>
    public WhitelistTokenCheck Verify(string id, WhitelistLinkAction action, string? token)
    {
        var dot = token?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (token is null || dot <= 0 || dot > 12
            || !long.TryParse(token.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var expiry)
            || !TryFromBase64Url(token[(dot + 1)..], out var presented))
        {
            return WhitelistTokenCheck.Invalid;
        }

        // The MAC first, in constant time: an expired forgery is a forgery.
        if (!CryptographicOperations.FixedTimeEquals(Mac(id, action, expiry), presented))
        {
            return WhitelistTokenCheck.Invalid;
        }

        return timeProvider.GetUtcNow().ToUnixTimeSeconds() < expiry ? WhitelistTokenCheck.Valid : WhitelistTokenCheck.Expired;
    }

    private byte[] Mac(string id, WhitelistLinkAction action, long expiry) =>
        HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{id}\n{ActionName(action)}\n{expiry}")));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryFromBase64Url(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length is 0 or > 64 || text.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_')))
        {
            return false;
        }

        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        try
        {
            bytes = Convert.FromBase64String(padded);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
