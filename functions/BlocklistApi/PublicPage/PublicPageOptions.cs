namespace BlocklistApi.PublicPage;

/// <summary>Our public "why was my mail refused" page, linked from SMTP replies. Section <c>PublicPage</c>.</summary>
public sealed class PublicPageOptions
{
    public const string SectionName = "PublicPage";

    /// <summary>
    /// The page's absolute http(s) URL (<c>PublicPage__Url</c>), quoted in greylisting and rejection replies so that a
    /// person reading a bounce knows where to look. Default: none, and replies carry no link.
    /// </summary>
    public string? Url { get; set; }
}
