using System.Net;
using System.Security.Cryptography;
using System.Text;
using BlocklistApi.Reputation;

namespace BlocklistApi.PublicPage;

/// <summary>
/// The public "why was my mail refused" page, built once from embedded resources (Assets/index.html with page.css
/// and page.js inlined) and the configured zones. Inlining keeps it to one route and lets the Content-Security-Policy
/// allow exactly this style and script by their SHA-256 hashes, with nothing else (no 'unsafe-inline', no other origin).
/// </summary>
public sealed class PublicPageDocument
{
    private const string ResourcePrefix = "BlocklistApi.PublicPage.Assets.";

    public PublicPageDocument(DnsblZones zones)
    {
        ArgumentNullException.ThrowIfNull(zones);
        var css = Read("page.css");
        var js = Read("page.js");
        var html = Read("index.html");
        if (!html.Contains("{{css}}", StringComparison.Ordinal) || !html.Contains("{{js}}", StringComparison.Ordinal) || !html.Contains("{{zones}}", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("Assets/index.html must contain the {{css}}, {{js}} and {{zones}} placeholders.");
        }

        Html = Encoding.UTF8.GetBytes(html
            .Replace("{{zones}}", ZoneList(zones.All), StringComparison.Ordinal)
            .Replace("{{css}}", css, StringComparison.Ordinal)
            .Replace("{{js}}", js, StringComparison.Ordinal));
        ContentSecurityPolicy = string.Join("; ",
            "default-src 'none'",
            $"script-src '{Hash(js)}'",
            $"style-src '{Hash(css)}'",
            "connect-src 'self'",
            "img-src data:",
            "form-action 'self'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            // Chromium then refuses every HTML string sink (innerHTML and friends): the script builds elements instead.
            "require-trusted-types-for 'script'",
            "trusted-types 'none'");
        ETag = "\"" + Convert.ToHexStringLower(SHA256.HashData(Html))[..32] + "\"";
    }

    /// <summary>The page, UTF-8.</summary>
    public byte[] Html { get; }

    public string ContentSecurityPolicy { get; }

    /// <summary>A strong validator of the page's bytes.</summary>
    public string ETag { get; }

    /// <summary>
    /// One item per configured zone, HTML-encoded: its name, what kind of list it is, and a link to its operator's site
    /// (the page script points it at the address once one is known, from the {ip} of the zone's delisting URL).
    /// </summary>
    internal static string ZoneList(IReadOnlyList<DnsblZone> zones)
    {
        if (zones.Count == 0)
        {
            return "<li>None at the moment: only our own list decides.</li>";
        }

        var items = new StringBuilder();
        foreach (var zone in zones)
        {
            var kind = zone.Kind == ZoneKind.Block ? "blocklist" : "allow list (a listing helps you)";
            items.Append("<li>").Append(WebUtility.HtmlEncode(zone.Name)).Append(", ").Append(kind);
            if (zone.DelistUrlTemplate is { } template && Uri.TryCreate(template.Replace("{ip}", "0", StringComparison.Ordinal), UriKind.Absolute, out var url)
                && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp))
            {
                var site = url.GetLeftPart(UriPartial.Authority) + "/";
                var label = zone.Kind == ZoneKind.Block ? "listings and removal" : "about this list";
                items.Append(": <a href=\"").Append(WebUtility.HtmlEncode(template.Contains("{ip}", StringComparison.Ordinal) ? site : template))
                    .Append("\" data-template=\"").Append(WebUtility.HtmlEncode(template))
                    .Append("\" rel=\"noopener noreferrer\">").Append(label).Append("</a>");
            }

            items.Append("</li>");
        }

        return items.ToString();
    }

    // CSP hash sources are over the UTF-8 bytes of the element's text (CSP Level 3, "hash-source").
    private static string Hash(string text) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string Read(string name)
    {
        using var stream = typeof(PublicPageDocument).Assembly.GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new InvalidOperationException($"The embedded resource {ResourcePrefix}{name} is missing.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
