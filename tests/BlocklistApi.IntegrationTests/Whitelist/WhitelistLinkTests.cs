using System.Net;
using System.Text;
using System.Text.Json;
using BlocklistApi.Client;
using BlocklistApi.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

using WhitelistLinkAction = BlocklistApi.Whitelist.WhitelistLinkAction;
using WhitelistLinks = BlocklistApi.Whitelist.WhitelistLinks;
using WhitelistOptions = BlocklistApi.Whitelist.WhitelistOptions;
using WhitelistService = BlocklistApi.Whitelist.WhitelistService;

namespace BlocklistApi.IntegrationTests.Whitelist;

/// <summary>
/// What the links and the routes refuse: forged, expired, reused and misapplied tokens, a GET of any link (it changes
/// nothing), a second open request for the same thing (409), bad input on every field, and a second approval (it changes
/// nothing and sends nothing).
/// </summary>
public sealed class WhitelistLinkTests
{
    [SkippableFact]
    public async Task Links_GetOfEveryLinkAndRoute_ChangesNothing()
    {
        await using var harness = await WhitelistHarness.StartAsync();
        var token = WhitelistHarness.Bounded();
        var (id, confirmation, review) = await ReviewedAsync(harness, token);
        var before = await harness.DetailsAsync(id);
        using var http = harness.App.CreateClient();

        // Every link a mail holds, opened as a mail scanner or link preview would (GET, and HEAD where it answers).
        foreach (var link in WhitelistHarness.Links(confirmation).Concat(WhitelistHarness.Links(review)))
        {
            using var page = await http.GetAsync(new Uri(link.PathAndQuery, UriKind.Relative), token);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("id=\"link\"", await page.Content.ReadAsStringAsync(token), StringComparison.Ordinal);
            foreach (var action in new[] { "confirm", "approve", "deny" })
            {
                using var route = await http.GetAsync(new Uri($"/v1/whitelist-requests/{id}/{action}?token={link.Token}", UriKind.Relative), token);
                Assert.True(route.StatusCode is HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotFound, $"GET {action}: {route.StatusCode}");
            }

            using var state = await http.GetAsync(new Uri($"/v1/whitelist-requests/{id}?token={link.Token}", UriKind.Relative), token);
            Assert.True(state.StatusCode is HttpStatusCode.OK or HttpStatusCode.Forbidden, $"GET state: {state.StatusCode}");
        }

        var after = await harness.DetailsAsync(id);
        Assert.Equal(WhitelistStatus.Pending, after.Status);
        Assert.Equal(before.History.Count, after.History.Count);
        Assert.Equal(before.UpdatedAt, after.UpdatedAt);
        Assert.Null(after.Entry);
        Assert.Empty(harness.MailTo(WhitelistHarness.Requester, "was approved"));
        Assert.Empty(harness.MailTo(WhitelistHarness.Requester, "was denied"));
    }

    [SkippableFact]
    public async Task Links_ForgedExpiredMisappliedAndReusedTokens_AreRefused()
    {
        await using var harness = await WhitelistHarness.StartAsync();
        var token = WhitelistHarness.Bounded();
        var (id, confirmation, review) = await ReviewedAsync(harness, token);
        var confirm = WhitelistHarness.Link(confirmation, "confirm");
        var approve = WhitelistHarness.Link(review, "approve");
        var deny = WhitelistHarness.Link(review, "deny");

        // Signed with another secret; signed by us but expired; an approve token sent to deny.
        var forged = Links("a-different-secret-that-is-long-enough", TimeProvider.System.GetUtcNow()).Token(id, WhitelistLinkAction.Approve, TimeProvider.System.GetUtcNow().AddDays(1));
        var expired = Links(BlocklistApiApp.LinkSecret, TimeProvider.System.GetUtcNow().AddDays(-3)).Token(id, WhitelistLinkAction.Approve, TimeProvider.System.GetUtcNow().AddDays(-1));
        Assert.Equal(403, await StatusAsync(() => harness.Client.ApproveWhitelistRequestAsync(id, new WhitelistDecisionRequest { Token = forged }, token)));
        Assert.Equal(410, await StatusAsync(() => harness.Client.ApproveWhitelistRequestAsync(id, new WhitelistDecisionRequest { Token = expired }, token)));
        Assert.Equal(403, await StatusAsync(() => harness.Client.DenyWhitelistRequestAsync(id, new WhitelistDecisionRequest { Token = approve.Token }, token)));
        Assert.Equal(403, await StatusAsync(() => harness.Client.ApproveWhitelistRequestAsync("20261128120000-aaaaaaaaaa", new WhitelistDecisionRequest { Token = approve.Token }, token)));
        Assert.Equal(401, await StatusAsync(() => harness.Client.ApproveWhitelistRequestAsync(id, new WhitelistDecisionRequest(), token)));
        // The confirmation link was used and the admins have been told: it is used up.
        Assert.Equal(409, await StatusAsync(() => harness.Client.ConfirmWhitelistRequestAsync(id, new WhitelistConfirmation { Token = confirm.Token }, token)));
        Assert.Equal(WhitelistStatus.Pending, (await harness.DetailsAsync(id)).Status);

        await harness.Client.ApproveWhitelistRequestAsync(id, new WhitelistDecisionRequest { Token = approve.Token }, token);
        await harness.WaitForMailAsync(WhitelistHarness.Requester, "was approved", token);

        // Each decision link works once, and the other one is dead too.
        Assert.Equal(409, await StatusAsync(() => harness.Client.ApproveWhitelistRequestAsync(id, new WhitelistDecisionRequest { Token = approve.Token }, token)));
        Assert.Equal(409, await StatusAsync(() => harness.Client.DenyWhitelistRequestAsync(id, new WhitelistDecisionRequest { Token = deny.Token }, token)));
        Assert.Equal(409, await StatusAsync(() => harness.AdminClient.DenyWhitelistRequestAsync(id, new WhitelistDecisionRequest(), token)));

        // The same decision again with an admin key is accepted and queued, and its queue function finds nothing to do.
        var again = await harness.AdminClient.ApproveWhitelistRequestAsync(id, new WhitelistDecisionRequest(), token);
        Assert.Equal(WhitelistStatus.Approved, again.Status);
        await harness.WaitUntilEmptyAsync(WhitelistService.DecisionQueue, token);
        Assert.Single(harness.MailTo(WhitelistHarness.Requester, "was approved"));
        var details = await harness.DetailsAsync(id);
        Assert.Single(details.History, h => h.Action == "approved");
        Assert.Equal(WhitelistStatus.Approved, details.Status);
    }

    [SkippableFact]
    public async Task Submit_SameEmailRangeAndRecipientWhileOpen_Is409WithTheOpenRequestsId()
    {
        await using var harness = await WhitelistHarness.StartAsync();
        var token = WhitelistHarness.Bounded();
        var first = await harness.Client.SubmitWhitelistRequestAsync(WhitelistHarness.Submission(), token);

        // Case and form do not make it another request.
        var again = WhitelistHarness.Submission();
        again.Email = again.Email.ToUpperInvariant();
        again.Ip = WhitelistHarness.RangeText;
        var conflict = await Assert.ThrowsAsync<ApiException<OpenRequestProblem>>(() => harness.Client.SubmitWhitelistRequestAsync(again, token));
        var otherRecipient = await harness.Client.SubmitWhitelistRequestAsync(WhitelistHarness.Submission("carol@customer.test"), token);

        Assert.Equal(409, conflict.StatusCode);
        Assert.Equal(first.Id, conflict.Result.RequestId);
        Assert.Contains(first.Id, conflict.Result.Detail, StringComparison.Ordinal);
        Assert.NotEqual(first.Id, otherRecipient.Id);
    }

    [SkippableFact]
    public async Task Submit_BadInputOnEveryField_Is400NamingEachField()
    {
        await using var harness = await WhitelistHarness.StartAsync();
        var token = WhitelistHarness.Bounded();
        using var http = harness.App.CreateClient();
        var body = new
        {
            email = "alice@",
            name = "Mallory\r\nBcc: victim@example.org",
            ip = "10.0.0.0/8",
            senderDomain = "not a domain",
            recipient = "bob@customer.test\r\nX-Injected: 1",
            reason = "short",
        };

        using var response = await http.PostAsync(new Uri("/v1/whitelist-requests", UriKind.Relative), new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"), token);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(token));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            ["email", "ip", "name", "reason", "recipient", "senderDomain"],
            problem.RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Empty(harness.Messages());

        // One bad field: the generated client's problem names it; a body that is not JSON is a 400 too.
        var one = WhitelistHarness.Submission();
        one.Ip = "2001:db8::/32";
        var error = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => harness.Client.SubmitWhitelistRequestAsync(one, token));
        Assert.Equal(["ip"], error.Result.Errors!.Keys);
        using var notJson = await http.PostAsync(new Uri("/v1/whitelist-requests", UriKind.Relative), new StringContent("email=x", Encoding.UTF8, "application/x-www-form-urlencoded"), token);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
    }

    [SkippableFact]
    public async Task Mail_HostileNameAndReason_AreEncodedNeverInjected()
    {
        await using var harness = await WhitelistHarness.StartAsync();
        var token = WhitelistHarness.Bounded();
        var submission = WhitelistHarness.Submission(name: "Mallory \"<evil@attacker.test>\", Eve");
        submission.Reason = "<script>alert(1)</script> and <a href=\"https://attacker.test/\">click</a>, please.";
        var submitted = await harness.Client.SubmitWhitelistRequestAsync(submission, token);
        var confirm = WhitelistHarness.Link(await harness.WaitForMailAsync(WhitelistHarness.Requester, "Confirm", token), "confirm");
        await harness.Client.ConfirmWhitelistRequestAsync(confirm.Id, new WhitelistConfirmation { Token = confirm.Token }, token);

        var review = await harness.WaitForMailAsync(WhitelistHarness.Admin, submitted.Id, token);
        var confirmation = harness.MailTo(WhitelistHarness.Requester, "Confirm").Single();

        // The display name stays one mailbox's name: no second recipient, no header of its own.
        var to = Assert.Single(confirmation.To.Mailboxes);
        Assert.Equal(WhitelistHarness.Requester, to.Address);
        Assert.Equal("Mallory \"<evil@attacker.test>\", Eve", to.Name);
        Assert.Empty(confirmation.Cc);
        Assert.Empty(confirmation.Bcc);
        // The HTML part shows the reason as text.
        Assert.DoesNotContain("<script>", review.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"https://attacker.test/", review.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", review.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("<script>alert(1)</script>", review.TextBody, StringComparison.Ordinal);
    }

    private static async Task<(string Id, MimeKit.MimeMessage Confirmation, MimeKit.MimeMessage Review)> ReviewedAsync(WhitelistHarness harness, CancellationToken token)
    {
        var submitted = await harness.Client.SubmitWhitelistRequestAsync(WhitelistHarness.Submission(), token);
        var confirmation = await harness.WaitForMailAsync(WhitelistHarness.Requester, "Confirm", token);
        var confirm = WhitelistHarness.Link(confirmation, "confirm");
        await harness.Client.ConfirmWhitelistRequestAsync(confirm.Id, new WhitelistConfirmation { Token = confirm.Token }, token);
        var review = await harness.WaitForMailAsync(WhitelistHarness.Admin, submitted.Id, token);
        // The review stores its state after queueing the mail: wait for it, so "before" below is the settled state.
        while ((await harness.DetailsAsync(submitted.Id)).History.Count < 3)
        {
            await Task.Delay(50, token);
        }

        return (submitted.Id, confirmation, review);
    }

    // The app's own token code, with the test's secret and clock: a token as the app would have made it then.
    private static WhitelistLinks Links(string secret, DateTimeOffset now) =>
        new(Options.Create(new WhitelistOptions { LinkSecret = secret, PageUrl = BlocklistApiApp.PageUrl }), new FakeTimeProvider(now));

    private static async Task<int> StatusAsync(Func<Task> call)
    {
        try
        {
            await call();
            return 200;
        }
        catch (ApiException error)
        {
            return error.StatusCode;
        }
    }
}
