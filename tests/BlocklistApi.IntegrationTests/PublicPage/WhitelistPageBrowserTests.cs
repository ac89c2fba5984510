using System.Text.RegularExpressions;
using BlocklistApi.Client;
using BlocklistApi.IntegrationTests.Whitelist;
using Microsoft.Playwright;
using MimeKit;

namespace BlocklistApi.IntegrationTests.PublicPage;

/// <summary>
/// The whitelist form and the pages of the mail links in headless chromium: fill and submit, see the confirmation,
/// per-field errors, the keyboard; a link's page changes nothing until its button is pressed.
/// </summary>
public sealed partial class WhitelistPageBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const float Timeout = 30_000;
    private const string Address = "81.2.69.161";

    [SkippableFact]
    public async Task Form_FilledAndSent_ShowsTheConfirmationAndTheLinkPageConfirms()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        var page = await OpenAsync($"?ip={Address}");
        var requester = $"sender-{Guid.NewGuid():N}@sender.test";

        // The address from the refusal link is filled in; the rest is typed.
        await Assertions.Expect(page.GetByLabel("Address or range that sends your mail")).ToHaveValueAsync(Address);
        await page.GetByLabel("Your e-mail address").FillAsync(requester);
        await page.GetByLabel("Your name").FillAsync("Alice Sender");
        await page.GetByLabel("Domain you send from").FillAsync("sender.test");
        await page.GetByLabel("Address you were writing to").FillAsync("bob@customer.test");
        await page.GetByLabel("Why you need this").FillAsync("Our provider cannot get its range delisted.\nOur old server cannot retry either.");
        await page.Locator("#whitelist").ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "whitelist-form.png") });
        await page.GetByRole(AriaRole.Button, new() { Name = "Send the request" }).ClickAsync();

        var done = page.Locator("#wl-done");
        await Assertions.Expect(done).ToContainTextAsync("Thank you. Please check your mailbox.", new() { Timeout = Timeout });
        await Assertions.Expect(done).ToContainTextAsync($"We sent a confirmation link to {requester}.");
        Assert.Equal("wl-done", await page.EvaluateAsync<string>("document.activeElement.id"));
        await Assertions.Expect(page.Locator("#wl-form")).ToBeHiddenAsync();
        var id = IdPattern().Match(await done.TextContentAsync() ?? "").Value;
        await done.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "whitelist-sent.png") });

        // The confirmation mail's link opens the page: a button, and nothing changed by opening it.
        var confirmation = await MailAsync(requester, "Confirm");
        var link = WhitelistHarness.Link(confirmation, "confirm");
        Assert.Equal(id, link.Id);
        var linkPage = await OpenAsync(link.PathAndQuery);
        await Assertions.Expect(linkPage.Locator("#link-heading")).ToHaveTextAsync("Confirm your whitelist request");
        Assert.Equal("link-heading", await linkPage.EvaluateAsync<string>("document.activeElement.id"));
        Assert.Equal(WhitelistStatus.PendingConfirmation, await StatusAsync(id));
        await linkPage.Locator("#link").ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "whitelist-confirm-link.png") });

        await linkPage.GetByRole(AriaRole.Button, new() { Name = "Confirm my request" }).ClickAsync();

        await Assertions.Expect(linkPage.Locator("#link-result")).ToContainTextAsync("your request is confirmed", new() { Timeout = Timeout });
        Assert.Equal(WhitelistStatus.Pending, await StatusAsync(id));
        var details = (await fixture.App!.AdminClient().ListWhitelistRequestsAsync(cancellationToken: Bounded())).Requests.Single(r => r.Id == id);
        // The reason was sent as one paragraph: the page turns line breaks into spaces.
        Assert.Equal("Our provider cannot get its range delisted. Our old server cannot retry either.", details.Reason);
    }

    [SkippableFact]
    public async Task AdminLinkPage_ApproveForTheDomain_RecordsTheChoicesOfThePage()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        var requester = $"sender-{Guid.NewGuid():N}@sender.test";
        var client = fixture.App!.Client(key: null);
        var submission = WhitelistHarness.Submission();
        submission.Email = requester;
        var submitted = await client.SubmitWhitelistRequestAsync(submission, Bounded());
        var confirm = WhitelistHarness.Link(await MailAsync(requester, "Confirm"), "confirm");
        await client.ConfirmWhitelistRequestAsync(confirm.Id, new WhitelistConfirmation { Token = confirm.Token }, Bounded());
        var approve = WhitelistHarness.Link(await MailAsync("postmaster@blocklist.test", submitted.Id), "approve");

        var page = await OpenAsync(approve.PathAndQuery);
        await Assertions.Expect(page.Locator("#link-heading")).ToHaveTextAsync("Approve whitelist request");
        await page.GetByLabel("everyone at the recipient's domain").CheckAsync();
        await page.GetByLabel("Note for the requester").FillAsync("Until your provider fixes its listing.");
        Assert.Equal(WhitelistStatus.Pending, await StatusAsync(submitted.Id));
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();

        await Assertions.Expect(page.Locator("#link-result")).ToContainTextAsync("Approved.", new() { Timeout = Timeout });
        var decided = await MailAsync(requester, "was approved");
        Assert.Contains("every address at customer.test", decided.TextBody, StringComparison.Ordinal);
        Assert.Contains("Note from our postmaster: Until your provider fixes its listing.", decided.TextBody, StringComparison.Ordinal);

        // The status link's page reads the status (a GET) and shows it.
        var status = await OpenAsync(WhitelistHarness.Link(decided, "status").PathAndQuery);
        await Assertions.Expect(status.Locator("#link-result")).ToHaveTextAsync($"Request {submitted.Id} is approved.", new() { Timeout = Timeout });
    }

    [SkippableFact]
    public async Task Form_BadAndMissingFields_ShowsEachErrorAtItsField()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        var page = await OpenAsync();
        var send = page.GetByRole(AriaRole.Button, new() { Name = "Send the request" });

        // Missing required fields are named before anything is sent.
        await page.GetByLabel("Your e-mail address").FillAsync("alice@sender.test");
        await send.ClickAsync();
        await Assertions.Expect(page.Locator("#wl-ip-error")).ToHaveTextAsync("Enter the address your server sends from.");
        await Assertions.Expect(page.Locator("#wl-recipient-error")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#wl-reason-error")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#wl-email-error")).ToBeHiddenAsync();
        Assert.Equal("wl-ip", await page.EvaluateAsync<string>("document.activeElement.id"));

        // Wrong values: the API names each field, and each error appears at its field, described by it.
        await page.GetByLabel("Your e-mail address").FillAsync("alice@");
        await page.GetByLabel("Address or range that sends your mail").FillAsync("10.0.0.1");
        await page.GetByLabel("Address you were writing to").FillAsync("bob");
        await page.GetByLabel("Why you need this").FillAsync("short");
        await send.ClickAsync();

        await Assertions.Expect(page.Locator("#wl-ip-error")).ToContainTextAsync("a private address", new() { Timeout = Timeout });
        await Assertions.Expect(page.Locator("#wl-email-error")).ToContainTextAsync("'email' is not an e-mail address");
        await Assertions.Expect(page.Locator("#wl-recipient-error")).ToContainTextAsync("'recipient' is not an e-mail address");
        await Assertions.Expect(page.Locator("#wl-reason-error")).ToContainTextAsync("'reason' is too short");
        await Assertions.Expect(page.Locator("#wl-name-error")).ToBeHiddenAsync();
        await Assertions.Expect(page.GetByLabel("Address or range that sends your mail")).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.GetByLabel("Address or range that sends your mail")).ToHaveAttributeAsync("aria-describedby", "wl-ip-error wl-ip-hint");
        Assert.Equal("wl-email", await page.EvaluateAsync<string>("document.activeElement.id"));
        await page.Locator("#whitelist").ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "whitelist-errors.png") });
    }

    [SkippableFact]
    public async Task Form_Keyboard_ReachesEveryFieldInOrderAndEnterSends()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        var page = await OpenAsync($"?ip={Address}");

        await page.GetByLabel("Your e-mail address").FocusAsync();
        var order = new List<string> { await page.EvaluateAsync<string>("document.activeElement.id") };
        for (var i = 0; i < 6; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            order.Add(await page.EvaluateAsync<string>("document.activeElement.id"));
        }

        Assert.Equal(["wl-email", "wl-name", "wl-ip", "wl-sender-domain", "wl-recipient", "wl-reason", "wl-submit"], order);
        Assert.NotEqual("none", await page.EvaluateAsync<string>("getComputedStyle(document.activeElement).outlineStyle"));

        await page.GetByLabel("Your e-mail address").FillAsync($"sender-{Guid.NewGuid():N}@sender.test");
        await page.GetByLabel("Why you need this").FillAsync("Our old server cannot retry after a deferral.");
        await page.GetByLabel("Address you were writing to").FillAsync("bob@customer.test");
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page.Locator("#wl-done")).ToContainTextAsync("Please check your mailbox.", new() { Timeout = Timeout });
        // Every input of the page, the whitelist form's and the link panel's included, has a label.
        Assert.Equal(0, await page.EvaluateAsync<int>("[...document.querySelectorAll('input, textarea')].filter(i => i.labels.length === 0).length"));
    }

    [SkippableFact]
    public async Task Page_ConsultedBlocklistsAndHabits_AreListedWithRemovalPagesForTheAddress()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        var plain = await OpenAsync();
        var withAddress = await OpenAsync($"?ip={Address}");

        var zone = plain.Locator("#zones li");
        await Assertions.Expect(zone).ToHaveCountAsync(1);
        await Assertions.Expect(zone).ToContainTextAsync("bl.test, blocklist");
        await Assertions.Expect(plain.GetByRole(AriaRole.Link, new() { Name = "listings and removal" })).ToHaveAttributeAsync("href", "https://bl.test/");
        await Assertions.Expect(withAddress.GetByRole(AriaRole.Link, new() { Name = "listings and removal" })).ToHaveAttributeAsync("href", $"https://bl.test/lookup?ip={Address}");
        var habits = plain.Locator("#habits");
        await Assertions.Expect(habits).ToContainTextAsync("Send from the same IP address your MX record receives on");
        await Assertions.Expect(habits).ToContainTextAsync("through your own mail server");
        await Assertions.Expect(habits).ToContainTextAsync("treat a temporary answer (4xx) as \"try again later\"");
        await Assertions.Expect(habits).ToContainTextAsync("send through your Internet provider's mail server");
        await Assertions.Expect(plain.Locator("article", new() { HasText = "HELO name" })).ToContainTextAsync("the name your MX record points to");
    }

    private async Task<IPage> OpenAsync(string pathAndQuery = "/")
    {
        var page = await fixture.Browser.NewPageAsync();
        page.SetDefaultTimeout(Timeout);
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        var response = await page.GotoAsync(new Uri(fixture.BaseAddress, pathAndQuery.StartsWith('/') ? pathAndQuery : "/" + pathAndQuery).ToString());
        Assert.Equal(200, response!.Status);
        return page;
    }

    private async Task<WhitelistStatus> StatusAsync(string id) =>
        (await fixture.App!.AdminClient().GetWhitelistRequestAsync(id, null, Bounded())).Status;

    // The app's pickup directory (the test settings' default transport): every message as an .eml file.
    private async Task<MimeMessage> MailAsync(string to, string subject)
    {
        var directory = Path.Combine(Path.GetTempPath(), "blocklist-test-mail", fixture.App!.NamePrefix);
        var token = Bounded();
        while (true)
        {
            if (Directory.Exists(directory))
            {
                foreach (var file in Directory.GetFiles(directory, "*.eml"))
                {
                    var message = await MimeMessage.LoadAsync(file, token);
                    if (message.To.Mailboxes.Any(m => m.Address == to) && (message.Subject ?? "").Contains(subject, StringComparison.Ordinal))
                    {
                        return message;
                    }
                }
            }

            await Task.Delay(100, token);
        }
    }

    private static CancellationToken Bounded() => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    [GeneratedRegex("[0-9]{14}-[a-z2-7]{10}")]
    private static partial Regex IdPattern();
}
