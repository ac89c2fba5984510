using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using BlocklistApi.Client;
using BlocklistApi.IntegrationTests.Infrastructure;
using BlocklistApi.Testing;

namespace BlocklistApi.IntegrationTests.PublicPage;

/// <summary>GET / on the self-host: the page, its security headers, the root-only route and the page's rate limit.</summary>
public sealed partial class PublicPageTests : IAsyncLifetime
{
    private BlocklistApiApp _app = null!;

    public async Task InitializeAsync() =>
        _app = new BlocklistApiApp(await AzuriteServer.Shared, new Dictionary<string, string?> { ["RateLimit:PagePermitsPerMinute"] = "5" });

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Page_AtTheRoot_IsHtmlWithTheTestFormAndNoThirdPartyAssets()
    {
        var html = await _app.Client(key: null).GetPublicPageAsync(Timeout());
        using var http = _app.CreateClient();
        using var response = await http.GetAsync(new Uri("/", UriKind.Relative), Timeout());

        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Contains("<h1>Why was my mail refused?</h1>", html, StringComparison.Ordinal);
        Assert.Contains("<form id=\"test-form\"", html, StringComparison.Ordinal);
        Assert.Contains("<label for=\"ip\">", html, StringComparison.Ordinal);
        Assert.Contains("aria-live=\"polite\"", html, StringComparison.Ordinal);
        Assert.Contains("WHITELIST-REQUEST", html, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", html, StringComparison.Ordinal);
        // Nothing is loaded from elsewhere: no src= or stylesheet links, and no URL with a host.
        Assert.DoesNotMatch(@"\ssrc=", html);
        Assert.DoesNotMatch(@"<link[^>]+stylesheet", html);
        Assert.DoesNotMatch(@"(href|action)=""(https?:)?//", html);
        Assert.DoesNotContain("innerHTML", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_ContentSecurityPolicy_AllowsExactlyTheInlineStyleAndScript()
    {
        using var http = _app.CreateClient();
        using var response = await http.GetAsync(new Uri("/", UriKind.Relative), Timeout());
        var html = await response.Content.ReadAsStringAsync(Timeout());
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));

        var style = StylePattern().Match(html).Groups[1].Value;
        var script = ScriptPattern().Match(html).Groups[1].Value;
        Assert.Contains($"style-src '{Hash(style)}'", csp, StringComparison.Ordinal);
        Assert.Contains($"script-src '{Hash(script)}'", csp, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("require-trusted-types-for 'script'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    [Fact]
    public async Task Page_WithItsETag_Answers304()
    {
        using var http = _app.CreateClient();
        using var first = await http.GetAsync(new Uri("/", UriKind.Relative), Timeout());
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/", UriKind.Relative));
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);

        using var second = await http.SendAsync(request, Timeout());

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
    }

    [Theory]
    [InlineData("/x")]
    [InlineData("/index.html")]
    public async Task Page_OtherPaths_AreNotThePage(string path)
    {
        using var http = _app.CreateClient();

        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), Timeout());

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Page_OverItsRateLimit_Returns429WithRetryAfter()
    {
        var client = _app.Client(key: null);
        for (var i = 0; i < 5; i++)
        {
            await client.GetPublicPageAsync(Timeout());
        }

        var error = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => client.GetPublicPageAsync(Timeout()));

        Assert.Equal(429, error.StatusCode);
        Assert.True(int.Parse(Assert.Single(error.Headers["Retry-After"]), System.Globalization.CultureInfo.InvariantCulture) is > 0 and <= 12);
    }

    private static string Hash(string text) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    [GeneratedRegex("<style>(.*?)</style>", RegexOptions.Singleline)]
    private static partial Regex StylePattern();

    [GeneratedRegex("<script>(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex ScriptPattern();
}
