using BlocklistApi.IntegrationTests.Diagnostics;
using Microsoft.Playwright;

namespace BlocklistApi.IntegrationTests.PublicPage;

/// <summary>The public page in a real browser: fill the form with an address the test DNS server serves, run it, read the results.</summary>
public sealed class PublicPageBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const float Timeout = 30_000;

    [SkippableFact]
    public async Task Page_TestMyServer_ShowsEveryCheckWithItsStatusAndAdvice()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        var page = await OpenAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };

        await page.GetByLabel("IP address of your mail server").FillAsync(DiagnosticsZones.BrokenIp);
        await page.GetByLabel("HELO name").FillAsync(DiagnosticsZones.BrokenHelo);
        await page.GetByLabel("Sender address").FillAsync(DiagnosticsZones.BrokenSender);
        await page.GetByRole(AriaRole.Button, new() { Name = "Test my server" }).ClickAsync();

        var checks = page.Locator("#checks > li");
        await Assertions.Expect(checks).ToHaveCountAsync(9, new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("#results-heading")).ToHaveTextAsync($"Results for {DiagnosticsZones.BrokenIp}");
        var rdns = Check(page, "Reverse DNS (PTR record)");
        await Assertions.Expect(rdns.Locator(".badge")).ToHaveTextAsync("Fail");
        await Assertions.Expect(rdns.Locator(".advice")).ToContainTextAsync("What to do: Ask whoever gave you this address");
        await Assertions.Expect(Check(page, "SPF").Locator(".badge")).ToHaveTextAsync("Fail");
        await Assertions.Expect(Check(page, "SPF").Locator(".advice")).ToContainTextAsync("Add ip4:192.0.2.10 to the SPF record of broken.test");
        await Assertions.Expect(Check(page, "DNS TTLs").Locator(".badge")).ToHaveTextAsync("Warning");
        // A check that could not run reads "Not checked", not "Warning".
        await Assertions.Expect(Check(page, "SMTP greeting").Locator(".badge")).ToHaveTextAsync("Not checked");
        await Assertions.Expect(Check(page, "SMTP greeting").Locator(".detail")).ToContainTextAsync("Not checked");
        var listings = Check(page, "Blocklists");
        await Assertions.Expect(listings.Locator(".badge")).ToHaveTextAsync("Fail");
        await Assertions.Expect(listings.GetByRole(AriaRole.Link, new() { Name = "Removal page of bl.test" })).ToHaveAttributeAsync("href", "https://bl.test/lookup?ip=192.0.2.10");
        await Assertions.Expect(page.Locator("#summary")).ToHaveTextAsync("6 failed, 2 warnings, 1 not checked.");
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("Test finished.");
        // Focus moves to the results so keyboard and screen reader users land on them.
        Assert.Equal("results-heading", await page.EvaluateAsync<string>("document.activeElement.id"));
        Assert.Contains($"ip={DiagnosticsZones.BrokenIp}", page.Url, StringComparison.Ordinal);
        Assert.Empty(errors);

        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "page.png"), FullPage = true });
        await page.Locator("#results").ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "results.png") });
        await page.SetViewportSizeAsync(390, 844);
        await page.EvaluateAsync("window.scrollTo(0, 0)");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "page-phone.png") });
        await page.Locator("#results-heading").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "results-phone.png") });
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "The page scrolls sideways on a phone.");
    }

    [SkippableFact]
    public async Task Page_Keyboard_ReachesEveryFieldByLabelAndSubmitsWithEnter()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        var page = await OpenAsync($"?ip={DiagnosticsZones.UnconfirmedIp}");

        // Every input has a label, and the address from the link is filled in.
        Assert.Equal(0, await page.EvaluateAsync<int>("[...document.querySelectorAll('input')].filter(i => i.labels.length === 0).length"));
        await Assertions.Expect(page.GetByLabel("IP address of your mail server")).ToHaveValueAsync(DiagnosticsZones.UnconfirmedIp);

        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to the test", await page.EvaluateAsync<string>("document.activeElement.textContent"));
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("ip", await page.EvaluateAsync<string>("document.activeElement.id"));
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("helo", await page.EvaluateAsync<string>("document.activeElement.id"));
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("sender", await page.EvaluateAsync<string>("document.activeElement.id"));
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("run", await page.EvaluateAsync<string>("document.activeElement.id"));
        // A visible focus ring.
        Assert.NotEqual("none", await page.EvaluateAsync<string>("getComputedStyle(document.activeElement).outlineStyle"));
        await page.Keyboard.PressAsync("Enter");

        var fcrdns = Check(page, "Reverse DNS confirmed by forward DNS");
        await Assertions.Expect(fcrdns.Locator(".badge")).ToHaveTextAsync("Fail", new() { Timeout = Timeout });
        await Assertions.Expect(fcrdns.Locator(".detail")).ToContainTextAsync("host.broken.test resolves to 192.0.2.99");
    }

    [SkippableFact]
    public async Task Page_HostileInputAndBadAddress_AreShownAsTextNeverAsHtml()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        var page = await OpenAsync();
        const string Payload = "<img/src=x/onerror=window.__xss=1>";

        await page.GetByLabel("IP address of your mail server").FillAsync(DiagnosticsZones.UnconfirmedIp);
        await page.GetByLabel("HELO name").FillAsync(Payload);
        await page.GetByRole(AriaRole.Button, new() { Name = "Test my server" }).ClickAsync();

        var helo = Check(page, "HELO name");
        await Assertions.Expect(helo.Locator(".detail")).ToContainTextAsync($"The HELO name {Payload} is not a valid host name.", new() { Timeout = Timeout });
        Assert.Equal(0, await page.Locator("#checks img").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("window.__xss === undefined"));

        // A 400 problem is shown next to the form, on the field it is about.
        await page.GetByLabel("IP address of your mail server").FillAsync("1.2.3");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#form-error")).ToContainTextAsync("four dot-separated", new() { Timeout = Timeout });
        await Assertions.Expect(page.GetByLabel("IP address of your mail server")).ToHaveAttributeAsync("aria-invalid", "true");
    }

    private async Task<IPage> OpenAsync(string query = "")
    {
        var page = await fixture.Browser.NewPageAsync();
        page.SetDefaultTimeout(Timeout);
        var response = await page.GotoAsync(new Uri(fixture.BaseAddress, "/" + query).ToString());
        Assert.Equal(200, response!.Status);
        await Assertions.Expect(page).ToHaveTitleAsync("Why was my mail refused? Test your mail server");
        return page;
    }

    private static ILocator Check(IPage page, string title) =>
        page.Locator("#checks > li").Filter(new() { Has = page.Locator("h3", new() { HasText = title }) });
}
