using System.Text;

namespace BlocklistApi.Lists;

/// <summary>
/// The text a DNSBL gives for a listing (its TXT record): the entry's reason and, for the block list, a link to the
/// public page with the address. Printable ASCII only, since mail servers quote it in SMTP replies, and one DNS
/// character-string (at most 255 octets) whatever address is filled in. Our DNS zone and the rbldnsd export make
/// the same text.
/// </summary>
public static class ListingText
{
    public const int MaxLength = 255;
    // The longest address text that can fill the link: a full IPv6 address.
    private const int MaxAddressLength = 39;

    /// <summary>The text for an address; <paramref name="address"/> is the address text, or "$" in an rbldnsd template.</summary>
    public static string Compose(string reason, HostedListKind list, string? pageUrl, string address)
    {
        var link = list == HostedListKind.Block && !string.IsNullOrEmpty(pageUrl) ? "; see " + PageLink(pageUrl, "") : "";
        var room = Math.Max(0, MaxLength - link.Length - MaxAddressLength);
        var text = Printable(reason);
        return (text.Length > room ? text[..room] : text) + (link.Length > 0 ? link + address : "");
    }

    /// <summary>The public page's link for an address: "https://example.net/?ip=192.0.2.1".</summary>
    public static string PageLink(string pageUrl, string address) =>
        $"{pageUrl}{(pageUrl.Contains('?', StringComparison.Ordinal) ? '&' : '?')}ip={address}";

    /// <summary>
    /// Printable ASCII: line breaks and tabs become spaces, other control and non-ASCII characters '?', and '$'
    /// (rbldnsd puts the address in its place) '?' too, so both servers give the same text.
    /// </summary>
    public static string Printable(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(c is >= ' ' and <= '~' and not '$' ? c : c is '\r' or '\n' or '\t' ? ' ' : '?');
        }

        return builder.ToString();
    }
}
